"""Ordinary answers are accepted, and every generated file escapes them.

A name with an apostrophe, quotes, `&`, `<`, an accent, a dash and an emoji
is an ordinary answer. Each file the template renders it into gets it in its
own syntax: TOML, YAML and JSON parse, Python compiles and serves it as the
OpenAPI title, the README renders it as its heading, and the bake stays ruff-
and mypy-clean.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from tests.conftest import explain, run
from tests.test_bake import files

NAME = 'O\'Brien & "Ada" <Blog> — ÅSA 🚀'
DESCRIPTION = 'It\'s a "blog" for <b>you</b> & me \\ `code` *stars* — 🚀 [x](y) &amp;'
AUTHOR = 'Zoë O\'Brien-Łukasz "Ziggy"'
HOSTILE = {"project_name": NAME, "description": DESCRIPTION, "author_name": AUTHOR}
BIN = Path(sys.executable).parent

COMBINATIONS = [
    {"database_access": "sync", "database": "sqlite", "delete_mode": "soft"},
    {"database_access": "async", "database": "postgresql", "delete_mode": "hard"},
]


@pytest.fixture(
    scope="module",
    params=COMBINATIONS,
    ids=lambda c: "-".join(c.values()),
)
def hostile_bake(request: pytest.FixtureRequest, cookies_session: Any) -> Path:
    result = cookies_session.bake(extra_context={**HOSTILE, **request.param})
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


def test_the_slug_is_derived_from_such_a_name(hostile_bake: Path) -> None:
    assert hostile_bake.name == "o_brien_ada_blog_asa"


def test_every_toml_yaml_and_json_file_parses(hostile_bake: Path) -> None:
    parsed = []
    for path in files(hostile_bake):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yaml", ".yml"}:
            yaml.safe_load(text)
        elif path.suffix == ".json":
            json.loads(text)
        else:
            continue
        parsed.append(path.name)

    assert {"pyproject.toml", "compose.yaml", "ci.yml"} <= set(parsed)


def test_pyproject_holds_the_answers_as_given(hostile_bake: Path) -> None:
    project = tomllib.loads((hostile_bake / "pyproject.toml").read_text())["project"]

    assert project["description"] == DESCRIPTION
    assert project["authors"] == [{"name": AUTHOR, "email": "you@example.com"}]


def test_every_python_file_compiles(hostile_bake: Path) -> None:
    for path in files(hostile_bake):
        if path.suffix == ".py":
            compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_the_openapi_schema_carries_the_name_and_description(
    hostile_bake: Path,
) -> None:
    script = (
        "import json; from app.main import app; "
        "print(json.dumps(app.openapi()['info']))"
    )
    result = run(sys.executable, "-c", script, cwd=hostile_bake)
    assert result.returncode == 0, explain(result)

    info = json.loads(result.stdout)
    assert info["title"] == NAME
    assert info["description"] == DESCRIPTION


def test_the_readme_renders_the_name_and_description_as_written(
    hostile_bake: Path,
) -> None:
    tokens = MarkdownIt("commonmark").parse((hostile_bake / "README.md").read_text())
    inline = [t for t in tokens if t.type == "inline"]

    def text(token: Any) -> str:
        return "".join(
            child.content for child in token.children if child.type == "text"
        )

    assert tokens[0].tag == "h1"
    assert text(inline[0]) == NAME
    assert [c.type for c in inline[1].children] == ["text"]
    assert text(inline[1]) == DESCRIPTION


def test_the_bake_is_lint_and_type_clean(hostile_bake: Path) -> None:
    for command in (
        ("ruff", "check", "--no-cache", "."),
        ("ruff", "format", "--no-cache", "--check", "."),
        ("mypy", "--strict", "--no-incremental", "."),
    ):
        result = run(str(BIN / command[0]), *command[1:], cwd=hostile_bake)
        assert result.returncode == 0, explain(result)
