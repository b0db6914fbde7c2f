"""A bake names only its own options (tests/purity.py holds the vocabulary).

A PostgreSQL bake says nothing of SQLite, a hard-delete bake nothing of
restore, a sync bake nothing of async sessions: not in code, settings,
comments, docstrings or tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.conftest import ROOT, Bake
from tests.purity import SWITCHING_HEADING, leaks

SCRATCH = {"database_access": "sync", "database": "sqlite", "delete_mode": "hard"}


@pytest.fixture(scope="module")
def clean_bake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("purity") / "scratch"
    bake_default(target, SCRATCH)
    return target


def test_the_bake_names_no_option_that_was_not_chosen(bake: Bake) -> None:
    found = leaks(bake.path, bake.combination)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize(
    ("relative", "planted", "word"),
    [
        # A comment, an identifier, a docstring and a plain text file.
        ("app/config.py", "# Tuned for PostgreSQL as well.\n", "PostgreSQL"),
        ("app/health.py", "POOL_PRE_PING = True\n", "POOL_PRE_PING"),
        ("app/pagination.py", '"""Shared by sync and async code."""\n', "async"),
        (
            "app/pagination.py",
            "def soft_delete_everything() -> None: ...\n",
            "soft_delete_everything",
        ),
        (".env.example", "CONNECT_TIMEOUT_SECONDS=5\n", "CONNECT_TIMEOUT_SECONDS"),
    ],
)
def test_a_planted_leak_is_reported_with_its_file_line_and_word(
    relative: str, planted: str, word: str, clean_bake: Path, tmp_path: Path
) -> None:
    scratch = tmp_path / "scratch"
    shutil.copytree(clean_bake, scratch)
    assert leaks(scratch, SCRATCH) == []
    target = scratch / relative
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join([*lines, planted]), encoding="utf-8")

    found = [str(leak) for leak in leaks(scratch, SCRATCH)]

    assert len(found) == 1, found
    assert found[0].startswith(f"{relative}:{len(lines) + 1}: {word!r}")


def test_the_readme_may_point_at_other_choices_in_one_section(tmp_path: Path) -> None:
    combination = {
        "database_access": "async",
        "database": "postgresql",
        "delete_mode": "soft",
    }
    scratch = tmp_path / "scratch"
    bake_default(scratch, combination)
    readme = scratch / "README.md"
    text = readme.read_text(encoding="utf-8")
    planted = (
        f"{text}\n{SWITCHING_HEADING}\n\nTo move to SQLite, re-bake.\n"
        "\n## Next\n\nSQLite again.\n"
    )
    readme.write_text(planted, encoding="utf-8")

    found = leaks(scratch, combination)

    assert [(leak.word, leak.line) for leak in found] == [
        ("SQLite", planted.splitlines().index("SQLite again.") + 1)
    ]


def bake_default(target: Path, combination: dict[str, str]) -> None:
    """A scratch bake of one combination, to plant leaks in."""
    out = target.parent / f"{target.name}-out"
    cookiecutter(
        str(ROOT), no_input=True, output_dir=str(out), extra_context=combination
    )
    shutil.move(out / "blog_api", target)
