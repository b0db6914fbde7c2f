"""The same answers bake the same project, byte for byte, apart from `.env`.

A template update (cruft) renders the old and the new template with the
stored answers and applies the difference: anything random or dated in a
bake would show up as a change on every update.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.conftest import COMBINATIONS, ROOT, combination_id

# Written by the post-gen hook with a fresh secret; git-ignored.
UNIQUE = {".env"}


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in UNIQUE
    }


@pytest.mark.parametrize(
    "combination",
    [COMBINATIONS[0], COMBINATIONS[-1]],
    ids=[combination_id(COMBINATIONS[0]), combination_id(COMBINATIONS[-1])],
)
def test_two_bakes_with_the_same_answers_are_identical(
    combination: dict[str, str], tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        cookiecutter(
            str(ROOT), no_input=True, output_dir=str(out), extra_context=combination
        )

    a, b = tree(first / "blog_api"), tree(second / "blog_api")

    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    assert not filecmp.cmp(first / "blog_api/.env", second / "blog_api/.env", False)


def test_every_text_file_of_a_bake_has_lf_line_endings(tmp_path: Path) -> None:
    cookiecutter(str(ROOT), no_input=True, output_dir=str(tmp_path))

    crlf = [
        name for name, data in tree(tmp_path / "blog_api").items() if b"\r\n" in data
    ]

    assert crlf == []
    attributes = (tmp_path / "blog_api" / ".gitattributes").read_text()
    assert "* text=auto eol=lf" in attributes
