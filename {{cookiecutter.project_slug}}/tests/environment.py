"""Which database the tests use; imported by conftest before the app.

- TEST_DATABASE_URL, when set, names it (its tables are dropped and recreated);
- otherwise a throwaway PostgreSQL server of their own (tests/pg_server.py),
  which `database()` starts and removes.

Either way DATABASE_URL is set for the app before it reads its settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from app.driver import DRIVER
from tests.pg_server import PostgresServer

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

_given = os.environ.get("TEST_DATABASE_URL")
server: PostgresServer | None = None
if _given:
    url = make_url(_given).set(drivername=DRIVER)
else:
    server = PostgresServer()
    url = make_url(server.url(DRIVER))

DATABASE_URL = url.render_as_string(hide_password=False)
os.environ["DATABASE_URL"] = DATABASE_URL


@contextmanager
def database() -> Iterator[None]:
    """The test database, for as long as the tests run.

    A throwaway server is started first and removed, data and all, after.
    """
    if server is None:
        yield
        return
    server.start()
    try:
        yield
    finally:
        server.stop()
