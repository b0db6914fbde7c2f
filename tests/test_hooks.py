"""The hooks: answers are checked before anything is written, and bakes tidied.

The hook modules are imported straight from hooks/ (they are valid Python
before cookiecutter renders them) and exercised as functions; the table of
bad answers is also run through real bakes.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import COMBINATIONS, ROOT, TEMPLATE, combination_id


def load_hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")

VALID: dict[str, Any] = {
    "project_name": "Blog API",
    "project_slug": "blog_api",
    "description": "A blog.",
    "author_name": "Ada",
    "author_email": "ada@example.com",
    "python_version": "3.11",
    "database_access": "sync",
    "database": "sqlite",
    "delete_mode": "soft",
}

# field, bad value, words the one-line message must contain
INVALID = [
    ("project_slug", "My App", "lowercase letters, digits and underscores"),
    ("project_slug", "1blog", "lowercase letters, digits and underscores"),
    ("project_slug", "blog-api", "lowercase letters, digits and underscores"),
    ("project_slug", "!!!", "give the slug yourself"),
    ("project_name", "", "must not be empty"),
    ("project_name", "   ", "must not be empty"),
    ("project_name", "tab\there", "control characters"),
    ("description", "two\nlines", "one line"),
    ("description", "para\u2029graph", "one line"),
    ("author_name", "bell\x07", "control characters"),
    ("author_name", "", "must not be empty"),
    ("author_email", "not-an-email", "not an email"),
    ("author_email", "a@b", "not an email"),
    ("author_email", 'x"@example.com', "not an email"),
]


def test_valid_answers_pass() -> None:
    pre.validate(VALID)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_name", 'O\'Brien & "Ada" <Blog> — ÅSA 🚀'),
        ("project_name", "Ada's Blog"),
        ("project_name", "back\\slash `code`"),
        ("description", 'It\'s <b>bold</b> & 100% "fine" 👩\u200d💻'),
        ("author_name", "Zoë O'Brien"),
        ("author_email", "o'brien@example.com"),
    ],
)
def test_ordinary_answers_are_accepted(field: str, value: str) -> None:
    pre.validate({**VALID, field: value})


def test_surrounding_whitespace_is_trimmed_not_rejected() -> None:
    pre.validate({**VALID, "project_name": "  Blog API ", "project_slug": " blog_api "})


@pytest.mark.parametrize(("field", "value", "words"), INVALID)
def test_bad_answer_gets_one_clear_line(field: str, value: str, words: str) -> None:
    with pytest.raises(pre.InvalidAnswers) as caught:
        pre.validate({**VALID, field: value})

    message = str(caught.value)
    assert "\n" not in message.replace("\\n", "")
    assert message.startswith(f"ERROR: {field}=")
    assert words in message
    assert "Example of a valid value:" in message


def test_main_prints_the_error_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code = pre.main(json.dumps({**VALID, "project_slug": "My App"}))

    assert code == 1
    assert "project_slug='My App'" in capsys.readouterr().err


def test_every_bad_answer_is_reported_at_once() -> None:
    bad = {"project_slug": "blog-api", "author_name": "", "author_email": "nope"}

    with pytest.raises(pre.InvalidAnswers) as caught:
        pre.validate({**VALID, **bad})

    lines = str(caught.value).splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        f"ERROR: {field}" for field in bad
    ]


@pytest.mark.parametrize("slug", ["calendar", "test", "json", "app", "class"])
def test_a_slug_is_only_a_folder_and_distribution_name(slug: str) -> None:
    pre.validate({**VALID, "project_slug": slug})


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Calendar", "calendar"),
        ("42 Blog", "project_42_blog"),
        ("Blog API", "blog_api"),
    ],
)
def test_the_derived_slug_is_valid(cookies: Any, name: str, slug: str) -> None:
    result = cookies.bake(extra_context={"project_name": name})

    assert result.exit_code == 0, result.exception
    assert result.project_path.name == slug


def test_a_name_with_nothing_to_make_a_slug_from_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(tmp_path),
            str(ROOT),
            "project_name=!!!",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "ERROR: project_slug='!!!' is invalid" in result.stderr
    assert "give the slug yourself" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("field", "value", "words"), INVALID[::3])
def test_bad_answer_fails_the_bake_and_leaves_no_folder(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(tmp_path),
            str(ROOT),
            f"{field}={value}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert f"ERROR: {field}=" in result.stderr
    assert words in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_choice_is_refused_from_the_choices_in_cookiecutter_json(
    cookies: Any,
) -> None:
    result = cookies.bake(extra_context={"database": "mysql"})

    assert result.exit_code != 0
    offered = json.loads((ROOT / "cookiecutter.json").read_text())["database"]
    assert f"the choices are {offered}" in str(result.exception)


def test_cookiecutter_json_has_no_dead_keys() -> None:
    """Each variable is used by a file or a hook; each setting does something."""
    context = json.loads((ROOT / "cookiecutter.json").read_text())
    texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for folder in (TEMPLATE, ROOT / "hooks")
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    texts.append(json.dumps(context))
    for key, value in context.items():
        if key.startswith("_") and not key.startswith("__"):
            assert value, f"{key} is empty, so it does nothing"
        elif key != "__prompts__":
            uses = sum(text.count(f"cookiecutter.{key}") for text in texts)
            assert uses, f"{key} is never used"


def test_the_hooks_keep_no_copy_of_the_choices(tmp_path: Path) -> None:
    """A choice added to cookiecutter.json alone is accepted by a real bake."""
    from cookiecutter.main import cookiecutter

    template = tmp_path / "template"
    shutil.copytree(
        ROOT, template, ignore=shutil.ignore_patterns(".git", ".venv", "examples")
    )
    context = json.loads((template / "cookiecutter.json").read_text())
    context["python_version"].append("3.14")
    (template / "cookiecutter.json").write_text(json.dumps(context))

    project = cookiecutter(
        str(template),
        no_input=True,
        output_dir=str(tmp_path / "out"),
        extra_context={"python_version": "3.14"},
    )

    pyproject = (Path(project) / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.14"' in pyproject


def test_whitespace_in_answers_is_trimmed_in_the_bake(cookies: Any) -> None:
    result = cookies.bake(
        extra_context={"project_name": "  Trim Me  ", "project_slug": "  trim_me  "}
    )

    assert result.exit_code == 0, result.exception
    assert result.project_path.name == "trim_me"
    pyproject = (result.project_path / "pyproject.toml").read_text()
    assert 'name = "trim_me"' in pyproject
    assert 'title="Trim Me"' in (result.project_path / "app" / "main.py").read_text()


def make_tree(root: Path, names: list[str]) -> None:
    """Files that each hold their own name; `x_sync.py` ones say they are twins."""
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        source = path.name.replace("_sync.py", ".py")
        header = (
            f"# unasync: generated from {source} by scripts/unasync.py. Do not edit:\n"
            if path.name.endswith("_sync.py")
            else ""
        )
        path.write_text(f"{header}# {name}\n# unasync: guide line\n")


def declared_tree(root: Path) -> None:
    make_tree(root, [*post.REPLACES, *(t for _, t in post.REPLACES.values())])
    make_tree(root, list(post.ONLY))


def test_sync_twins_replace_their_async_sources(tmp_path: Path) -> None:
    make_tree(tmp_path, ["app/service.py", "app/service_sync.py", "app/plain.py"])

    post.use_sync_twins(tmp_path)
    post.remove_unasync_pragmas(tmp_path)

    assert sorted(p.name for p in (tmp_path / "app").iterdir()) == [
        "plain.py",
        "service.py",
    ]
    assert (tmp_path / "app/service.py").read_text() == "# app/service_sync.py\n"


def test_async_bake_drops_the_twins(tmp_path: Path) -> None:
    make_tree(tmp_path, ["app/service.py", "app/service_sync.py"])

    post.remove_sync_twins(tmp_path)

    assert [p.name for p in (tmp_path / "app").iterdir()] == ["service.py"]
    assert (tmp_path / "app/service.py").read_text().startswith("# app/service.py")


def test_a_name_that_looks_like_a_variant_is_an_ordinary_file(tmp_path: Path) -> None:
    """Only the header makes a twin, only the manifest makes a variant."""
    declared_tree(tmp_path)
    names = ["app/cache.py", "app/cache_hard.py", "app/io_sync.py"]
    names.append("tests/test_sync.py")
    for name in names:
        (tmp_path / name).write_text(f"# {name}\n")

    post.use_sync_twins(tmp_path)
    post.keep_chosen_files(tmp_path, frozenset({"sync", "sqlite", "hard"}))

    for name in names:
        assert (tmp_path / name).read_text() == f"# {name}\n"


def test_hard_delete_swaps_variants_and_drops_soft_files(tmp_path: Path) -> None:
    declared_tree(tmp_path)

    post.keep_chosen_files(tmp_path, frozenset({"async", "postgresql", "hard"}))

    for variant, (option, target) in post.REPLACES.items():
        assert not (tmp_path / variant).exists()
        kept = (tmp_path / target).read_text()
        assert kept.startswith(f"# {variant if option == 'hard' else target}\n")
    for relative, option in post.ONLY.items():
        assert (tmp_path / relative).exists() is (option in {"postgresql", "hard"})


FENCED = """\
import os
from app.driver import pool_options  # only: postgresql


def options() -> dict[str, object]:
    # only: sqlite
    # A file cannot go away like a server.
    found = {"timeout": 30}
    # only: soft
    found["soft"] = True
    # end: soft
    # end: sqlite
    # only: postgresql
    found = pool_options()
    # end: postgresql
    return found
"""


def test_a_bake_keeps_only_the_lines_of_its_options() -> None:
    sqlite_soft = post.keep_chosen(FENCED, frozenset({"sync", "sqlite", "soft"}))
    sqlite_hard = post.keep_chosen(FENCED, frozenset({"sync", "sqlite", "hard"}))
    postgresql = post.keep_chosen(FENCED, frozenset({"async", "postgresql", "soft"}))

    assert sqlite_soft == (
        "import os\n\n\ndef options() -> dict[str, object]:\n"
        "    # A file cannot go away like a server.\n"
        '    found = {"timeout": 30}\n'
        '    found["soft"] = True\n'
        "    return found\n"
    )
    assert 'found["soft"]' not in sqlite_hard
    assert "timeout" in sqlite_hard
    assert postgresql == (
        "import os\nfrom app.driver import pool_options\n\n\n"
        "def options() -> dict[str, object]:\n"
        "    found = pool_options()\n"
        "    return found\n"
    )
    for text in (sqlite_soft, sqlite_hard, postgresql):
        compile(text, "<bake>", "exec")
        assert "# only:" not in text
        assert "# end:" not in text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("# only: sqlite\nx = 1\n", "1: '# only: sqlite' is never closed"),
        ("x = 1\n# end: soft\n", "2: '# end: soft' closes no fence"),
        (
            "# only: soft\n# only: sqlite\n# end: soft\n# end: sqlite\n",
            "3: '# end: soft' closes no fence",
        ),
    ],
)
def test_a_broken_fence_names_its_file_and_line(text: str, words: str) -> None:
    with pytest.raises(post.PragmaError) as caught:
        post.keep_chosen(text, frozenset({"sqlite", "soft"}), "app/x.py")

    assert str(caught.value) == f"app/x.py:{words}"


def test_pragmas_are_resolved_in_every_python_file_of_a_bake(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/config.py").write_text("a = 1\nb = 2  # only: hard\n")
    (tmp_path / "README.md").write_text("b = 2  # only: hard\n")

    post.keep_chosen_lines(tmp_path, frozenset({"soft"}))

    assert (tmp_path / "app/config.py").read_text() == "a = 1\n"
    assert (tmp_path / "README.md").read_text() == "b = 2  # only: hard\n"


def test_dotenv_says_development_gets_the_secret_and_is_never_overwritten(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env.example").write_text(
        "A=1\nENVIRONMENT=production\nSECRET_KEY=\nB=2\n"
    )

    post.write_dotenv(tmp_path, "s3cr3t")
    post.write_dotenv(tmp_path, "other")

    assert (tmp_path / ".env").read_text() == (
        "A=1\nENVIRONMENT=development\nSECRET_KEY=s3cr3t\nB=2\n"
    )


def test_next_steps_name_the_real_commands() -> None:
    steps = post.next_steps({**VALID, "database": "postgresql"})

    assert "cd blog_api" in steps
    assert "python -m app migrate" in steps
    assert "DATABASE_URL" in steps
    assert "pytest" in steps


def test_hooks_use_the_standard_library_only() -> None:
    for hook in (pre, post):
        imported = {
            line.split()[1].split(".")[0]
            for line in Path(hook.__file__).read_text().splitlines()
            if line.startswith(("import ", "from "))
        }
        assert imported - {"__future__"} <= set(sys.stdlib_module_names)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(
        line for line in ci.splitlines() if line.startswith("python3 -m venv .venv")
    )

    assert f"```bash\n{command}\n```" in readme


@pytest.mark.parametrize(
    "chosen",
    [frozenset(c.values()) for c in COMBINATIONS],
    ids=[combination_id(c) for c in COMBINATIONS],
)
def test_template_python_stays_valid_as_it_stands_and_once_resolved(
    chosen: frozenset[str],
) -> None:
    for path in sorted(TEMPLATE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        compile(text, str(path), "exec")
        compile(post.keep_chosen(text, chosen, str(path)), str(path), "exec")


def test_a_bake_over_an_existing_project_leaves_its_venv_alone(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        [
            "app/service.py",
            "app/service_sync.py",
            ".venv/lib/site-packages/pkg/io_sync.py",
            ".venv/lib/site-packages/pkg/io.py",
            "venv/lib/pkg/api_hard.py",
        ],
    )
    declared_tree(tmp_path)
    (tmp_path / ".env.example").write_text("SECRET_KEY=\n")
    before = {p: p.read_text() for p in tmp_path.rglob("*.py") if "venv" in str(p)}

    post.tidy(tmp_path, {**VALID, "delete_mode": "hard"})

    assert {p: p.read_text() for p in before if p.exists()} == before
    assert (tmp_path / "app/service.py").read_text().startswith("# app/service_sync")


def test_the_cookiecutter_context_holds_no_secret(tmp_path: Path) -> None:
    """The replay file (and so `.cruft.json`) holds the answers, no key."""
    from cookiecutter.main import cookiecutter

    config = tmp_path / "config.yaml"
    replay = tmp_path / "replay"
    config.write_text(
        f"replay_dir: {replay}\ncookiecutters_dir: {tmp_path / 'cc'}\n",
        encoding="utf-8",
    )
    cookiecutter(
        str(ROOT), no_input=True, output_dir=str(tmp_path), config_file=str(config)
    )
    dotenv = (tmp_path / "blog_api" / ".env").read_text(encoding="utf-8")
    secret = next(
        line.split("=", 1)[1]
        for line in dotenv.splitlines()
        if line.startswith("SECRET_KEY=")
    )
    (saved,) = replay.glob("*.json")
    context = saved.read_text(encoding="utf-8")

    assert len(secret) >= 64
    assert "\nENVIRONMENT=development\n" in dotenv
    assert secret not in context
    assert "secret" not in context.lower()
