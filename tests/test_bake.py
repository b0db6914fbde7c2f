"""Every combination bakes into the project that was asked for.

One bake per combination (see the `bake` fixture); each test below checks one
thing a user would notice about it. That each bake is lint-clean, type-clean,
migrates and passes its own tests is proved once, in a new environment that
holds only what the bake declares: tests/test_shipping.py runs the bake's own
CI workflow (ruff, mypy --strict, migrations, pytest).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Bake
from tests.test_hooks import post

LEFTOVER = re.compile(r"\{\{|\{%|cookiecutter\.")
SKIP_DIRS = {
    ".venv",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    ".hypothesis",
}


def files(root: Path) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(root).parts)
    ]


def relative(bake: Bake) -> set[str]:
    return {p.relative_to(bake.path).as_posix() for p in files(bake.path)}


def test_bakes_without_error(bake: Bake) -> None:
    assert bake.exit_code == 0, bake.exception
    assert (bake.path / "app" / "main.py").is_file()


def test_no_template_syntax_is_left(bake: Bake) -> None:
    offenders = [
        f"{p.relative_to(bake.path)}: {m.group(0)!r}"
        for p in files(bake.path)
        for m in [LEFTOVER.search(p.read_text(encoding="utf-8", errors="replace"))]
        if m
    ]
    assert offenders == []


def test_only_the_chosen_variants_are_present(bake: Bake) -> None:
    names = relative(bake)
    # No declared variant under its template name, and no generator guides
    # (a sync twin's header is one).
    assert not set(names) & set(post.REPLACES)
    assert not [
        n
        for n in names
        if n.endswith(".py") and "# unasync:" in (bake.path / n).read_text()
    ]
    soft = bake.combination["delete_mode"] == "soft"
    assert ("app/deletion.py" in names) is soft
    assert ("tests/test_soft_delete.py" in names) is soft
    assert ("tests/test_hard_delete.py" in names) is not soft
    postgresql = bake.combination["database"] == "postgresql"
    assert ("tests/pg_server.py" in names) is postgresql
    assert ("tests/test_sqlite.py" in names) is not postgresql
    database = (bake.path / "app" / "database.py").read_text()
    if bake.combination["database_access"] == "async":
        assert "create_async_engine" in database
    else:
        assert "create_async_engine" not in database
        assert "create_engine(" in database


def test_dependencies_match_the_combination(bake: Bake) -> None:
    pyproject = (bake.path / "pyproject.toml").read_text()
    drivers = {"asyncpg", "psycopg", "aiosqlite"}
    wanted = {
        ("async", "postgresql"): "asyncpg",
        ("sync", "postgresql"): "psycopg",
        ("async", "sqlite"): "aiosqlite",
        ("sync", "sqlite"): None,
    }[bake.combination["database_access"], bake.combination["database"]]
    present = {d for d in drivers if f'"{d}' in pyproject}
    assert present == ({wanted} if wanted else set())
    assert ("sqlalchemy[asyncio]" in pyproject) is (
        bake.combination["database_access"] == "async"
    )
