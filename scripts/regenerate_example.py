"""Rebake `examples/sqlalchemy_app/`, the committed default bake.

    python scripts/regenerate_example.py

The example lets people read a generated project on GitHub before baking
one. It is the template's defaults (sync, SQLite, soft delete, Python 3.11),
baked with `--no-input`, less `.env`: the post-generation hook writes that
file with a random secret, and it is never committed. Run this after any
change to the template; `tests/test_shipping.py` fails while the example is
stale.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sqlalchemy_app"
# Written per bake (a random SECRET_KEY): not part of the example.
NOT_COMMITTED = (".env",)


def bake_default(output_dir: Path) -> Path:
    """Bake the template's defaults into `output_dir`; return the project."""
    from cookiecutter.main import cookiecutter

    # default_config: a user's ~/.cookiecutterrc must not change the example.
    project = Path(
        cookiecutter(
            str(ROOT), no_input=True, output_dir=str(output_dir), default_config=True
        )
    )
    for name in NOT_COMMITTED:
        (project / name).unlink(missing_ok=True)
    return project


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        project = bake_default(Path(tmp))
        shutil.rmtree(EXAMPLE, ignore_errors=True)
        EXAMPLE.parent.mkdir(exist_ok=True)
        shutil.copytree(project, EXAMPLE)
    print(f"Regenerated {EXAMPLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
