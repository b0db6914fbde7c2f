"""Regenerate the bake's initial Alembic revision from the models.

    python scripts/regenerate_migrations.py          # rewrite the revisions
    python scripts/regenerate_migrations.py --check  # fail if they are stale

The template ships one initial revision per delete mode (the models differ:
soft delete adds `deleted_at` and partial unique indexes):

- `migrations/versions/<date>-<rev>_initial_schema.py` (soft delete),
- `migrations/versions/<date>-<rev>_initial_schema_hard.py` (hard delete).

For each, this bakes the sync PostgreSQL combination into a temporary folder,
starts a throwaway PostgreSQL server (the bake's own `tests/pg_server.py`),
and runs `alembic revision --autogenerate` there against an empty database,
exactly as a user would. PostgreSQL because it is the dialect that can reflect
everything the models declare; the revision is plain SQLAlchemy and runs on
SQLite too: server defaults are written as SQLAlchemy expressions, which
each database compiles its own way (`now()` is CURRENT_TIMESTAMP on SQLite),
and each `postgresql_where=` line of a partial index gets a `sqlite_where=`
twin, the two carrying `# only: postgresql` / `# only: sqlite` pragmas, so that
each bake keeps its own (hooks/post_gen_project.py). The revision id and date
are fixed, so that the output depends on the models alone: run it after any
change to a model, and commit the result.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "{{cookiecutter.project_slug}}"
VERSIONS = Path("migrations") / "versions"
REVISION = "5f1e2d3c4b6a"
MESSAGE = "initial schema"
CREATE_DATE = "2026-11-25 00:00:00+00:00"
FILE_NAME = f"2026_11_25_0000-{REVISION}_initial_schema"
# delete mode -> the file's suffix in the template (see hooks/post_gen_project.py)
VARIANTS = {"soft": "", "hard": "_hard"}
PARTIAL_INDEX = re.compile(r"^(?P<indent>[ \t]*)postgresql_where=(?P<where>.*),$", re.M)


# PostgreSQL's spelling of a server default -> the portable expression
PORTABLE_DEFAULTS = {
    'server_default=sa.text("now()")': "server_default=sa.func.now()",
    'server_default=sa.text("false")': "server_default=sa.false()",
}


def for_each_database(text: str) -> str:
    """The revision as it reads in every bake, whatever its database."""
    for spelled, portable in PORTABLE_DEFAULTS.items():
        text = text.replace(spelled, portable)
    return PARTIAL_INDEX.sub(
        r"\g<indent>postgresql_where=\g<where>,  # only: postgresql\n"
        r"\g<indent>sqlite_where=\g<where>,  # only: sqlite",
        text,
    )


def load_pg_server() -> ModuleType:
    """The bake's own throwaway-server helper (standard library only)."""
    sys.path.insert(0, str(TEMPLATE / "tests"))
    try:
        return importlib.import_module("pg_server")
    finally:
        sys.path.pop(0)


def create_database(server_url: str, name: str) -> str:
    """A new empty database on the server; its URL for the bake's sync driver."""
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def generate(mode: str, workdir: Path, server_url: str) -> str:
    """The initial revision that autogenerate writes for this delete mode."""
    baked = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "--output-dir",
            str(workdir / mode),
            str(ROOT),
            "database_access=sync",
            "database=postgresql",
            f"delete_mode={mode}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    projects = list((workdir / mode).iterdir()) if baked.returncode == 0 else []
    if len(projects) != 1:
        raise SystemExit(f"baking failed for {mode} delete:\n{baked.stderr}")
    project = projects[0]
    for old in (project / VERSIONS).glob("*.py"):
        old.unlink()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DATABASE_URL", "TEST_DATABASE_URL"))
    }
    env["DATABASE_URL"] = create_database(server_url, f"initial_{mode}")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "revision",
            "--autogenerate",
            "--rev-id",
            REVISION,
            "-m",
            MESSAGE,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    written = sorted((project / VERSIONS).glob("*.py"))
    if result.returncode != 0 or len(written) != 1:
        raise SystemExit(
            f"alembic revision failed for {mode} delete:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    text = written[0].read_text(encoding="utf-8")
    text = re.sub(
        r"^Create Date: .*$", f"Create Date: {CREATE_DATE}", text, count=1, flags=re.M
    )
    return for_each_database(text)


def target(mode: str) -> Path:
    return TEMPLATE / VERSIONS / f"{FILE_NAME}{VARIANTS[mode]}.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if a revision is stale"
    )
    args = parser.parse_args(argv)
    pg_server = load_pg_server()
    server = pg_server.PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="regenerate-migrations-") as tmp:
            wanted = {
                target(mode): generate(mode, Path(tmp), server.url())
                for mode in VARIANTS
            }
    finally:
        server.stop()
    # Old initial revisions, whatever their date: replaced, not kept beside.
    current = {
        path: path.read_text(encoding="utf-8")
        for path in (TEMPLATE / VERSIONS).glob(f"*-{REVISION}_*.py")
    }
    stale = sorted(
        {p for p in wanted if current.get(p) != wanted[p]}
        | {p for p in current if p not in wanted}
    )
    if args.check:
        for path in stale:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.get(path, "").splitlines(keepends=True),
                    wanted.get(path, "").splitlines(keepends=True),
                    str(path.relative_to(ROOT)),
                    "regenerated",
                )
            )
        if stale:
            print(
                "stale initial revisions: run "
                "`python scripts/regenerate_migrations.py`.",
                file=sys.stderr,
            )
            return 1
        return 0
    for path in stale:
        if path in wanted:
            path.write_text(wanted[path], encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        else:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
