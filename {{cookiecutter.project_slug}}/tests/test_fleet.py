"""Several processes on one database, as a fleet of replicas runs them.

Real processes, each with its own connections: `python -m app migrate` as
every replica runs it on start.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection

from app.cli import alembic_config
from app.models import Base
from tests.test_migrations import on, table_names

PROJECT = Path(__file__).resolve().parent.parent
REPLICAS = 4
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
