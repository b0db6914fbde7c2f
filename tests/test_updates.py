"""A project baked months ago can take in template updates (cruft).

The round trip a user makes: bake with cruft, commit, edit the project; the
template moves on; `cruft update` brings the change in without a conflict,
keeps every edit, and the project still passes its own suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, clean_env, explain, run

CRUFT = str(Path(sys.executable).parent / "cruft")
# What a template checkout holds that cookiecutter reads.
TEMPLATE_PARTS = (
    "cookiecutter.json",
    "local_extensions.py",
    "hooks",
    "{{cookiecutter.project_slug}}",
)
GIT = ("git", "-c", "user.name=Test", "-c", "user.email=test@example.com")


def git(*args: str, cwd: Path) -> None:
    result = run(*GIT, *args, cwd=cwd)
    assert result.returncode == 0, explain(result)


def template_checkout(target: Path) -> Path:
    """This template as a git repository of its own, at one commit."""
    target.mkdir()
    for part in TEMPLATE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(
                source,
                target / part,
                ignore=shutil.ignore_patterns("__pycache__", ".venv", "*.db"),
            )
        else:
            shutil.copy2(source, target / part)
    git("init", "-q", "-b", "main", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-qm", "A", cwd=target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_cruft_update_brings_a_template_change_into_an_edited_project(
    tmp_path: Path,
) -> None:
    template = template_checkout(tmp_path / "template")
    created = run(
        CRUFT, "create", "--no-input", "--output-dir", str(tmp_path / "out"),
        str(template), cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, explain(created)
    project = tmp_path / "out" / "blog_api"
    secret = (project / ".env").read_text(encoding="utf-8")
    assert "SECRET_KEY" not in (project / ".cruft.json").read_text(encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-qm", "Baked", cwd=project)

    # The user's own work: a new module, a README line, a new setting.
    (project / "app" / "notes.py").write_text(
        '"""Notes of our own."""\n\nNOTE = "ours"\n', encoding="utf-8"
    )
    readme = project / "README.md"
    first = readme.read_text(encoding="utf-8").splitlines()[0]
    edit(readme, first, f"{first} (our fork)")
    edit(
        project / "app" / "config.py",
        '    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"\n',
        '    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"\n'
        "    # Our own setting.\n"
        '    greeting: str = "hello"\n',
    )
    edit(
        project / ".env.example",
        "LOG_LEVEL=INFO\n",
        "LOG_LEVEL=INFO\n# Our own setting.\nGREETING=hello\n",
    )
    git("add", "-A", cwd=project)
    git("commit", "-qm", "Our edits", cwd=project)

    # The template moves on, in a file the user did not touch.
    pagination = template / "{{cookiecutter.project_slug}}" / "app" / "pagination.py"
    pagination.write_text(
        pagination.read_text(encoding="utf-8") + "\n# A template improvement.\n",
        encoding="utf-8",
    )
    git("commit", "-qam", "B", cwd=template)

    updated = run(CRUFT, "update", "-y", cwd=project)
    assert updated.returncode == 0, explain(updated)

    assert [p.name for p in project.rglob("*.rej")] == []
    assert (
        "# A template improvement." in (project / "app" / "pagination.py").read_text()
    )
    assert (project / "app" / "notes.py").exists()
    assert "(our fork)" in readme.read_text(encoding="utf-8")
    assert "GREETING=hello" in (project / ".env.example").read_text(encoding="utf-8")
    assert 'greeting: str = "hello"' in (project / "app" / "config.py").read_text()
    assert (project / ".env").read_text(encoding="utf-8") == secret
    checked = run(CRUFT, "check", cwd=project)
    assert checked.returncode == 0, explain(checked)
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(status.stdout.split()) <= {"M", ".cruft.json", "app/pagination.py"}

    suite = run(
        sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
        cwd=project, env=clean_env(),
    )  # fmt: skip
    assert suite.returncode == 0, explain(suite)
