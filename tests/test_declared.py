"""A bake declares every package it imports.

Each third-party module that `app/` or `migrations/` imports comes from a
distribution named in the bake's `[project.dependencies]`; each one that
`tests/` imports, from one named there or in its `dev` group. A package that
only arrives as another one's dependency can leave with that one's next
release. Modules are mapped to distributions by the template's own
environment, which holds every bake's packages.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import Bake

FIRST_PARTY = frozenset({"app", "migrations", "tests"})
# Where each part of a bake may take its packages from.
SOURCES = {"app": ("project",), "migrations": ("project",), "tests": ("project", "dev")}


def canonical(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """`pwdlib` from `pwdlib[argon2]>=0.2.1` (a PEP 508 string)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"not a requirement: {requirement!r}"
    return canonical(match.group(1))


@functools.cache
def distributions() -> dict[str, frozenset[str]]:
    """Each importable top-level module of this environment, and its distributions."""
    return {
        module: frozenset(canonical(name) for name in names)
        for module, names in packages_distributions().items()
    }


def imports(root: Path, part: str) -> dict[str, str]:
    """Each top-level module imported under `root/part`, and one place it is."""
    found: dict[str, str] = {}
    for path in sorted((root / part).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                found.setdefault(top, where)
    return found


def declared(root: Path) -> dict[str, set[str]]:
    """The distributions the bake's pyproject.toml names, by source."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())

    def names(requirements: list[object]) -> set[str]:
        return {requirement_name(r) for r in requirements if isinstance(r, str)}

    return {
        "project": names(pyproject["project"]["dependencies"]),
        "dev": names(pyproject.get("dependency-groups", {}).get("dev", [])),
    }


def undeclared(root: Path) -> list[str]:
    """`path:line: module (distribution)` for each import the bake does not declare."""
    sources = declared(root)
    problems: list[str] = []
    for part, allowed in SOURCES.items():
        names = set().union(*(sources[source] for source in allowed))
        for module, where in sorted(imports(root, part).items()):
            if module in FIRST_PARTY or module in sys.stdlib_module_names:
                continue
            found = distributions().get(module, frozenset())
            if not found:
                problems.append(f"{where}: {module} (from no installed distribution)")
            elif not found & names:
                needed = " or ".join(sorted(found))
                problems.append(
                    f"{where}: {module} (declare {needed} in {' or '.join(allowed)})"
                )
    return problems


def test_the_bake_declares_every_package_it_imports(bake: Bake) -> None:
    problems = undeclared(bake.path)

    assert not problems, "imported, not declared:\n" + "\n".join(problems)


def test_an_import_that_is_not_declared_is_named(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "migrations").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "app" / "cli.py").write_text("import typer\nfrom rich import print\n")
    (tmp_path / "tests" / "test_x.py").write_text("import pytest\nimport typer\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["typer>=0.15"]\n'
        '[dependency-groups]\ndev = ["pytest>=8.3"]\n'
    )

    assert undeclared(tmp_path) == ["app/cli.py:2: rich (declare rich in project)"]
