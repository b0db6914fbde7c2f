"""Shared fixtures: one throwaway PostgreSQL server for the whole run, and bakes.

The server is started by the first test that needs it (a PostgreSQL bake, or
a test that asks for `postgres_url`), so the hook and unasync tests run on a
machine without PostgreSQL's binaries. xdist workers share it: the first one
starts it under a file lock in a folder the controller (or the lone process)
made, the others read its URL there, and the controller stops it at the end.
Each bake gets a database of its own on it.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "{{cookiecutter.project_slug}}"
PG_ENV = "TEMPLATE_TEST_POSTGRES_URL"
PG_STATE_ENV = "TEMPLATE_TEST_POSTGRES_STATE"

# (database_access, database) -> the SQLAlchemy driver a bake uses
DRIVERS = {
    ("sync", "sqlite"): "sqlite",
    ("async", "sqlite"): "sqlite+aiosqlite",
    ("sync", "postgresql"): "postgresql+psycopg",
    ("async", "postgresql"): "postgresql+asyncpg",
}
COMBINATIONS = [
    {"database_access": access, "database": database, "delete_mode": mode}
    for access in ("sync", "async")
    for database in ("sqlite", "postgresql")
    for mode in ("soft", "hard")
]


def combination_id(combination: dict[str, str]) -> str:
    return "-".join(
        combination[k] for k in ("database_access", "database", "delete_mode")
    )


def load_pg_server() -> ModuleType:
    """The bake's own throwaway-server helper, loaded from the template."""
    spec = importlib.util.spec_from_file_location(
        "pg_server", TEMPLATE / "tests" / "pg_server.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pg_server"] = module
    spec.loader.exec_module(module)
    return module


def running_server(saved: dict[str, Any]) -> Any:
    """The server another process started, from what it wrote down."""
    return load_pg_server().PostgresServer(
        bindir=Path(saved["bindir"]), port=saved["port"], root=Path(saved["root"])
    )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(PG_ENV):
        return
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        os.environ[PG_ENV] = given
        return
    os.environ[PG_STATE_ENV] = tempfile.mkdtemp(prefix="template-tests-pg-")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = os.environ.get(PG_STATE_ENV)
    if hasattr(config, "workerinput") or not state:
        return
    started = Path(state) / "server.json"
    if started.exists():
        running_server(json.loads(started.read_text())).stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The shared server's URL, starting it on first use."""
    if os.environ.get(PG_ENV):
        return os.environ[PG_ENV]
    state = Path(os.environ[PG_STATE_ENV])
    started = state / "server.json"
    with (state / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not started.exists():
            pg_server = load_pg_server()
            try:
                server = pg_server.PostgresServer().start()
            except pg_server.PostgresUnavailableError as error:
                pytest.fail(
                    f"This test bakes a PostgreSQL project and needs a server: {error}",
                    pytrace=False,
                )
            saved = {"bindir": str(server.bindir), "port": server.port}
            started.write_text(json.dumps({**saved, "root": str(server.root)}))
    url: str = running_server(json.loads(started.read_text())).url()
    return url


def create_database(base_url: str, name: str) -> str:
    """A new empty database on the shared server; returns its URL."""
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def database_name(label: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return re.sub(r"[^a-z0-9_]", "_", f"bake_{label}_{worker}".lower())


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a bake's subprocesses: no pytest or xdist leaks."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("PYTEST_", "TEST_DATABASE_URL", "DATABASE_URL", "VIRTUAL_ENV_PROMPT")
        )
        and k != PG_ENV
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command in a bake; the output is kept for the failure message."""
    return subprocess.run(
        args,
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"$ {' '.join(result.args)}\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    )


@dataclass(frozen=True)
class Bake:
    """A baked project, shared by the tests of one combination."""

    combination: dict[str, str]
    path: Path
    exit_code: int
    exception: BaseException | None
    database_url: str | None

    @property
    def driver(self) -> str:
        return DRIVERS[
            self.combination["database_access"], self.combination["database"]
        ]

    def fresh_database_url(self, tmp_path: Path, label: str) -> str:
        """A new, empty database for this bake, as the app's DATABASE_URL."""
        if self.combination["database"] == "sqlite":
            return f"{self.driver}:///{tmp_path / f'{label}.db'}"
        assert self.database_url is not None
        name = database_name(f"{combination_id(self.combination)}_{label}")
        url = create_database(self.database_url, name)
        return (
            make_url(url)
            .set(drivername=self.driver)
            .render_as_string(hide_password=False)
        )

    def env(self, **extra: str) -> dict[str, str]:
        if self.database_url:
            extra = {"TEST_DATABASE_URL": self.database_url, **extra}
        return clean_env(**extra)


@pytest.fixture(
    scope="session",
    params=[
        pytest.param(
            c, id=combination_id(c), marks=pytest.mark.xdist_group(combination_id(c))
        )
        for c in COMBINATIONS
    ],
)
def bake(request: pytest.FixtureRequest, cookies_session: Any) -> Bake:
    """Bake one combination once; its tests run on one xdist worker (loadgroup)."""
    combination = request.param
    result = cookies_session.bake(extra_context=combination)
    database_url = None
    if combination["database"] == "postgresql":
        database_url = create_database(
            request.getfixturevalue("postgres_url"),
            database_name(combination_id(combination)),
        )
    return Bake(
        combination=combination,
        path=result.project_path,
        exit_code=result.exit_code,
        exception=result.exception,
        database_url=database_url,
    )
