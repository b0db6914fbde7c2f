"""Tidy a fresh bake: keep the chosen variant of each file, drop the rest.

Cookiecutter renders this file with Jinja and runs it inside the new project.
Standard library only. It makes no network call, runs no git and installs
nothing: it only moves and removes files, writes `.env`, and prints next steps.

Which file serves which option is declared, never guessed from a name:
- a sync twin says so on its first line (`# unasync: generated from name.py`,
  written by the template's scripts/unasync.py) and replaces `name.py` in sync
  bakes;
- `REPLACES` lists each file that stands in for another when its option is
  chosen, and `ONLY` each file that exists for one option.
tests/test_variants.py fails on a file whose name looks like a variant but is
declared nowhere, and on a declared file that is missing.
Every bake loses the `# unasync: ...` comment lines, which only guide the
twin generator.

Inside a Python file, lines that only some bakes need are fenced by option
pragmas, which keep the template's `.py` files valid Python:

    # only: sqlite
    ...lines kept only when SQLite was chosen...
    # end: sqlite

or, for a single line, a trailing `# only: postgresql`. The options are
`sync`, `async`, `sqlite`, `postgresql`, `soft` and `hard`; fences nest. Every
bake keeps the chosen lines and loses the pragmas (`keep_chosen_lines`). Other
files use short inline Jinja instead.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

UNASYNC_PRAGMA = re.compile(r"^[ \t]*# unasync: .*\n", re.MULTILINE)
OPTIONS = ("sync", "async", "sqlite", "postgresql", "soft", "hard")
_OPTION = "|".join(OPTIONS)
FENCE = re.compile(rf"^[ \t]*# (?P<kind>only|end): (?P<option>{_OPTION})[ \t]*$")
LINE_PRAGMA = re.compile(rf"[ \t]+# only: (?P<option>{_OPTION})[ \t]*$")
INITIAL = "migrations/versions/2026_11_25_0000-5f1e2d3c4b6a_initial_schema"
# Each file that replaces another when its option is chosen, and is dropped
# otherwise: variant -> (option, the file it replaces).
REPLACES: dict[str, tuple[str, str]] = {
    "app/driver_sqlite.py": ("sqlite", "app/driver.py"),
    "tests/environment_sqlite.py": ("sqlite", "tests/environment.py"),
    f"{INITIAL}_hard.py": ("hard", f"{INITIAL}.py"),
}
# Each file that exists for one option only (after twins have replaced their
# sources, so a test's sync twin goes with it).
ONLY: dict[str, str] = {
    "app/deletion.py": "soft",
    "tests/test_soft_delete.py": "soft",
    "tests/test_hard_delete.py": "hard",
    "app/budget.py": "postgresql",
    "tests/test_budget.py": "postgresql",
    "tests/pg_server.py": "postgresql",
    "tests/pgbouncer.py": "postgresql",
    "tests/test_pgbouncer.py": "postgresql",
    "tests/test_postgresql.py": "postgresql",
    "tests/test_outage.py": "postgresql",
    "tests/test_sqlite.py": "sqlite",
}
TWIN_HEADER = re.compile(
    r"# unasync: generated from (?P<source>[\w.]+\.py) by scripts/unasync\.py\."
)
# Folders that running a project creates; the hook never looks inside them.
LOCAL_STATE = frozenset({"__pycache__", "node_modules", "venv"})


def _remove(root: Path, relative: str) -> None:
    path = root / relative
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def python_files(root: Path) -> Iterator[Path]:
    """The bake's Python files, never those of a `.venv` or cache beside them.

    A bake made again over an existing project (`cookiecutter -f`) must not
    touch what the user has there, such as their virtual environment.
    """
    for path in sorted(root.rglob("*.py")):
        folders = path.relative_to(root).parts[:-1]
        if not any(part in LOCAL_STATE or part.startswith(".") for part in folders):
            yield path


def sync_twins(root: Path) -> Iterator[tuple[Path, Path]]:
    """Each sync twin in the bake, with the async source it was generated from."""
    for path in python_files(root):
        with path.open(encoding="utf-8") as file:
            header = TWIN_HEADER.match(file.readline())
        if header:
            yield path, path.with_name(header["source"])


def use_sync_twins(root: Path) -> None:
    for twin, source in list(sync_twins(root)):
        twin.replace(source)


def remove_sync_twins(root: Path) -> None:
    for twin, _source in list(sync_twins(root)):
        twin.unlink()


def remove_unasync_pragmas(root: Path) -> None:
    """Drop the `# unasync: ...` lines, which only guide the twin generator."""
    for path in python_files(root):
        text = path.read_text(encoding="utf-8")
        if UNASYNC_PRAGMA.search(text):
            path.write_text(UNASYNC_PRAGMA.sub("", text), encoding="utf-8")


class PragmaError(ValueError):
    """An option fence that is not closed, or closed by the wrong `# end:`."""


def keep_chosen(text: str, chosen: frozenset[str], name: str = "<text>") -> str:
    """The text without the lines fenced for options that were not chosen."""
    kept: list[str] = []
    open_fences: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        fence = FENCE.match(body)
        if fence:
            if fence["kind"] == "only":
                open_fences.append((fence["option"], number))
            elif not open_fences or open_fences[-1][0] != fence["option"]:
                msg = f"{name}:{number}: '# end: {fence['option']}' closes no fence"
                raise PragmaError(msg)
            else:
                open_fences.pop()
            continue
        if any(option not in chosen for option, _ in open_fences):
            continue
        pragma = LINE_PRAGMA.search(body)
        if pragma:
            if pragma["option"] not in chosen:
                continue
            line = body[: pragma.start()] + line[len(body) :]
        kept.append(line)
    if open_fences:
        option, number = open_fences[-1]
        msg = f"{name}:{number}: '# only: {option}' is never closed"
        raise PragmaError(msg)
    return "".join(kept)


def keep_chosen_lines(root: Path, chosen: frozenset[str]) -> None:
    """Resolve the option pragmas of every Python file in the bake."""
    for path in python_files(root):
        text = path.read_text(encoding="utf-8")
        if "# only: " not in text and "# end: " not in text:
            continue
        path.write_text(keep_chosen(text, chosen, str(path)), encoding="utf-8")


def keep_chosen_files(root: Path, chosen: frozenset[str]) -> None:
    """Put each declared variant in place or drop it, and drop what `ONLY` says."""
    for variant, (option, target) in REPLACES.items():
        if option in chosen:
            (root / variant).replace(root / target)
        else:
            _remove(root, variant)
    for relative, option in ONLY.items():
        if option not in chosen:
            _remove(root, relative)


def write_dotenv(root: Path, secret_key: str) -> None:
    """Write a development `.env` from `.env.example`, with a fresh secret.

    `.env.example` holds the defaults, and an unset ENVIRONMENT is production;
    `.env` says development, so that a fresh project just runs. It is
    git-ignored; an existing one is never overwritten. The secret is made
    here, not in the cookiecutter context, so that it never reaches a replay
    file or `.cruft.json`.
    """
    dotenv = root / ".env"
    if dotenv.exists():
        return
    example = (root / ".env.example").read_text(encoding="utf-8")
    chosen = {"ENVIRONMENT": "development", "SECRET_KEY": secret_key}
    lines = []
    for line in example.splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={chosen[name]}" if name in chosen else line)
    dotenv.write_text("\n".join(lines) + "\n", encoding="utf-8")


def next_steps(answers: Mapping[str, str]) -> str:
    slug = answers["project_slug"]
    lines = [
        f"Baked {answers['project_name']} into ./{slug}. Next steps:",
        f"  cd {slug}",
        "  python -m venv .venv && . .venv/bin/activate",
        "  pip install -U pip && pip install -e . --group dev   # or: uv sync",
    ]
    if answers["database"] == "postgresql":
        lines.append(
            "  # point DATABASE_URL in .env at your PostgreSQL server"
            " (or: docker compose up -d db)"
        )
    lines += [
        "  python -m app migrate        # create the schema (alembic upgrade head)",
        "  python -m app seed           # optional demo data",
        "  fastapi dev                  # http://127.0.0.1:8000/docs",
        "  pytest                       # the project's own tests",
    ]
    return "\n".join(lines)


def tidy(root: Path, answers: Mapping[str, str]) -> None:
    chosen = frozenset(
        answers[key] for key in ("database_access", "database", "delete_mode")
    )
    if "sync" in chosen:
        use_sync_twins(root)
    else:
        remove_sync_twins(root)
    remove_unasync_pragmas(root)
    keep_chosen_lines(root, chosen)
    keep_chosen_files(root, chosen)
    write_dotenv(root, secrets.token_urlsafe(48))


def main(answers_json: str) -> int:
    # The files were rendered from trimmed answers (local_extensions.py); match them.
    answers = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in json.loads(answers_json).items()
    }
    tidy(Path.cwd(), answers)
    print(next_steps(answers))
    return 0


if __name__ == "__main__":
    # JSON escapes quotes and newlines, so no answer can end this string early.
    sys.exit(main(r"""{{ cookiecutter | jsonify }}"""))
