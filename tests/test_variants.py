"""Variant files are declared, never guessed from their names.

The post-gen hook keeps a manifest (`REPLACES`, `ONLY`) and knows a sync twin
by the header that scripts/unasync.py writes. A file named like a variant but
declared nowhere would silently be an ordinary file in every bake, and a
declared file that is gone would break every bake: both fail here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from subprocess import CompletedProcess

from tests.conftest import ROOT, TEMPLATE, clean_env, explain
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


def _pytest_without_postgresql(tmp_path: Path, *args: str) -> CompletedProcess[str]:
    env = clean_env(PG_BINDIR=str(tmp_path / "no-postgresql-here"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_tests_that_need_no_server_run_without_postgresql(tmp_path: Path) -> None:
    quick = _pytest_without_postgresql(
        tmp_path, "tests/test_variants.py", "-k", "not postgresql", "-n", "0"
    )
    needs_one = _pytest_without_postgresql(
        tmp_path,
        "tests/test_bake.py::test_no_template_syntax_is_left[sync-postgresql-hard]",
        "-n",
        "0",
    )

    assert quick.returncode == 0, explain(quick)
    assert needs_one.returncode == 1, explain(needs_one)
    assert "needs a server: initdb and pg_ctl were not found" in needs_one.stdout
