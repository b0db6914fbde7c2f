"""Variant files are declared, never guessed from their names.

The post-gen hook keeps a manifest (`REPLACES`, `ONLY`) and knows a sync twin
by the header that scripts/unasync.py writes. A file named like a variant but
declared nowhere would silently be an ordinary file in every bake, and a
declared file that is gone would break every bake: both fail here.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import TEMPLATE
from tests.test_hooks import post

OPTIONS = ("sync", "async", "sqlite", "postgresql", "soft", "hard")
LOOKS_LIKE_A_VARIANT = re.compile(rf"_({'|'.join(OPTIONS)})$")


def undeclared(template: Path) -> list[str]:
    """Files whose names look like a variant but that no declaration covers."""
    declared = set(post.REPLACES) | set(post.ONLY)
    twins = {
        twin.relative_to(template).as_posix() for twin, _ in post.sync_twins(template)
    }
    found = []
    for path in post.python_files(template):
        relative = path.relative_to(template).as_posix()
        stem = relative.removesuffix(".py")
        if LOOKS_LIKE_A_VARIANT.search(stem) and relative not in declared | twins:
            found.append(relative)
    return found


def test_every_file_named_like_a_variant_is_declared() -> None:
    assert undeclared(TEMPLATE) == []


def test_a_planted_look_alike_is_caught(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "cache_hard.py").write_text("CACHE = {}\n")
    (tmp_path / "app" / "cache.py").write_text("CACHE = None\n")

    assert undeclared(tmp_path) == ["app/cache_hard.py"]


def test_every_declared_file_exists() -> None:
    for variant, (option, target) in post.REPLACES.items():
        assert option in OPTIONS, variant
        assert (TEMPLATE / variant).is_file(), f"{variant} is declared but missing"
        assert (TEMPLATE / target).is_file(), f"{target} is declared but missing"
    for relative, option in post.ONLY.items():
        assert option in OPTIONS, relative
        assert (TEMPLATE / relative).exists(), f"{relative} is declared but missing"


def test_every_twin_names_a_source_beside_it() -> None:
    twins = list(post.sync_twins(TEMPLATE))
    assert twins
    for twin, source in twins:
        assert source.is_file(), f"{twin} names {source.name}, which is missing"
        assert twin.name == f"{source.stem}_sync.py", twin
