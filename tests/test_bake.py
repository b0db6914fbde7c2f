"""Every combination bakes into a project that is clean, typed and passing.

One bake per combination (see the `bake` fixture); each test below checks one
thing a user would notice about it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import Bake, explain, run

LEFTOVER = re.compile(r"\{\{|\{%|cookiecutter")
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
    # No variant files under their template names, and no generator guides.
    assert not [n for n in names if re.search(r"_(sync|hard|sqlite)\.py$", n)]
    assert not [
        n
        for n in names
        if n.endswith(".py") and "# unasync:" in (bake.path / n).read_text()
    ]
    soft = bake.combination["delete_mode"] == "soft"
    assert ("app/restore/router.py" in names) is soft
    assert ("tests/test_soft_delete.py" in names) is soft
    assert ("tests/test_hard_delete.py" in names) is not soft
    postgresql = bake.combination["database"] == "postgresql"
    assert ("tests/pg_server.py" in names) is postgresql
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


def test_ruff_is_clean_as_baked(bake: Bake) -> None:
    check = run("ruff", "check", "--no-cache", ".", cwd=bake.path)
    fmt = run("ruff", "format", "--no-cache", "--check", ".", cwd=bake.path)

    assert check.returncode == 0, explain(check)
    assert fmt.returncode == 0, explain(fmt)


def test_mypy_strict_is_clean_as_baked(
    bake: Bake, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # One cache per worker: third-party stubs are checked once, not per bake.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cache = tmp_path_factory.getbasetemp().parent / f"mypy-cache-{worker}"
    result = run("mypy", "--cache-dir", str(cache), cwd=bake.path, env=bake.env())

    assert result.returncode == 0, explain(result)


def test_generated_test_suite_passes(bake: Bake) -> None:
    result = run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=bake.path,
        env=bake.env(),
    )

    assert result.returncode == 0, explain(result)
    assert re.search(r"\d+ passed", result.stdout)
    assert " skipped" not in result.stdout
