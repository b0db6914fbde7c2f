"""Several processes on one database, as a fleet of replicas runs them.

Real processes, each with its own connections: `python -m app migrate` as
every replica runs it on start, and the app served by several workers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, func, select

from app.cli import alembic_config
from app.models import Base
from app.posts.models import Post
from tests.conftest import PASSWORD, free_port
from tests.test_migrations import on, table_names

PROJECT = Path(__file__).resolve().parent.parent
REPLICAS = 4
WORKERS = 4
CREATES = 200
CLIENTS = 16
STARTUP_SECONDS = 60
# Each process imports the app, then waits for a line on stdin: all of them
# are released at once, so that their migrations really overlap.
MIGRATE_ON_SIGNAL = (
    "import sys\n"
    "from app.cli import cli\n"
    "sys.stdin.readline()\n"
    "cli(['migrate'], prog_name='python -m app')\n"
)


def app_environment(url: URL) -> dict[str, str]:
    """The environment of a process of the app that uses the database at `url`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**inherited, "DATABASE_URL": url.render_as_string(hide_password=False)}


@contextmanager
def serving(env: dict[str, str], workers: int) -> Iterator[str]:
    """The app migrated, then served by `workers` uvicorn processes: its URL."""
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=PROJECT, env=env, check=True
    )
    port = free_port()
    serve = ["uvicorn", "app.main:app", "--workers", str(workers), "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", *serve, "--log-level", "warning"],
        cwd=PROJECT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    msg = f"the app did not come up healthy at {base}"
    raise RuntimeError(msg)


def author_headers(base: str) -> dict[str, str]:
    """Sign up an author: the headers of their requests."""
    body = {"name": "Author", "email": "author@example.com", "password": PASSWORD}
    assert httpx.post(f"{base}/api/v1/users", json=body).status_code == 201
    form = {"username": body["email"], "password": PASSWORD}
    token = httpx.post(f"{base}/api/v1/auth/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def creates_at_once(base: str, creates: int) -> Counter[int]:
    """`creates` posts by one author, from CLIENTS clients at once: their statuses."""
    headers = author_headers(base)

    def create(number: int) -> int:
        post = {"title": f"Post {number}", "body": "Text.", "tags": ["news"]}
        response = httpx.post(
            f"{base}/api/v1/posts", json=post, headers=headers, timeout=60
        )
        return response.status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        return Counter(pool.map(create, range(creates)))


def migrate_together(url: URL, replicas: int) -> list[str]:
    """Run `python -m app migrate` in `replicas` processes at once.

    Returns the error each failed one printed.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_ON_SIGNAL],
            cwd=PROJECT,
            env=app_environment(url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(replicas)
    ]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    failures = []
    for process in processes:
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            errors = [line for line in output.splitlines() if "Error: " in line]
            failures.append((errors or output.splitlines() or ["?"])[-1])
    return failures


def count_posts(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(Post)) or 0


def versions(connection: Connection) -> list[tuple[str, ...]]:
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
    return [tuple(row) for row in rows]


async def test_replicas_that_start_together_migrate_once_and_all_reach_head(
    scratch: URL,
) -> None:
    # unasync: failures = migrate_together(scratch, REPLICAS)
    failures = await asyncio.to_thread(migrate_together, scratch, REPLICAS)

    assert failures == []
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await on(scratch, versions) == [(head,)]
    assert await on(scratch, table_names) == {*Base.metadata.tables, "alembic_version"}


def creates_from_workers(url: URL) -> Counter[int]:
    with serving(app_environment(url), WORKERS) as base:
        return creates_at_once(base, CREATES)


async def test_writes_from_4_workers_at_once_all_persist(scratch: URL) -> None:
    # unasync: statuses = creates_from_workers(scratch)
    statuses = await asyncio.to_thread(creates_from_workers, scratch)

    assert statuses == {201: CREATES}
    assert await on(scratch, count_posts) == CREATES
