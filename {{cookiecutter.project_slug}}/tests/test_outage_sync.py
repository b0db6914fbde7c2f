# unasync: generated from test_outage.py by scripts/unasync.py. Do not edit:
# unasync: edit test_outage.py, then run `python scripts/unasync.py`.
"""The database goes away and comes back; the app answers 503, then recovers.

The test stops a PostgreSQL server, so it starts one of its own (even when
TEST_DATABASE_URL names a server it must not stop): it needs the PostgreSQL
server binaries. Without them it is skipped when TEST_DATABASE_URL is given,
and the suite fails with a clear error when it is not. The app is pointed at
that server through `app.database`'s engine and sessions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import database
from app.config import Settings
from app.database import Base, create_engine_from
from app.driver import DRIVER
from tests.conftest import PASSWORD, at_once, connections_in_use
from tests.pg_server import PostgresServer, PostgresUnavailableError, find_bindir

UNAVAILABLE = {"detail": "Database unavailable, try again later"}


NO_SERVER_OF_OUR_OWN = (
    "TEST_DATABASE_URL names a server this test must not stop, and there are no "
    "PostgreSQL server binaries to start one of its own"
)


def server_to_stop() -> PostgresServer:
    """A server of the test's own, which it may stop.

    Skipped when the only server at hand is TEST_DATABASE_URL's.
    """
    try:
        bindir = find_bindir()
    except PostgresUnavailableError:
        if os.environ.get("TEST_DATABASE_URL"):
            pytest.skip(NO_SERVER_OF_OUR_OWN)
        raise
    return PostgresServer(bindir=bindir)


def test_without_server_binaries_a_given_server_is_not_stopped_but_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_binaries() -> Path:
        raise PostgresUnavailableError

    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://app@db.example/test")
    monkeypatch.setattr(sys.modules[__name__], "find_bindir", no_binaries)

    with pytest.raises(pytest.skip.Exception, match=NO_SERVER_OF_OUR_OWN):
        server_to_stop()


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    server = server_to_stop().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_on(
    server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Engine]:
    """The app's sessions, health check included, on the server to stop.

    Parametrize it indirectly with a POOL_PRE_PING value; it is on by default.
    """
    config = Settings(
        database_url=server.url(DRIVER),
        connect_timeout_seconds=2,
        pool_pre_ping=getattr(request, "param", True),
    )
    engine = create_engine_from(config)
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
    monkeypatch.setattr(database, "engine", engine)
    monkeypatch.setitem(database.SessionLocal.kw, "bind", engine)
    try:
        yield engine
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    retry_after: str | None


def requests_of_every_kind(client: TestClient, email: str) -> list[Answer]:
    """A health check, a read, a write and a login."""
    sign_up = {"name": "Ada", "email": email, "password": PASSWORD}
    responses = [
        client.get("/health"),
        client.get("/api/v1/users"),
        client.post("/api/v1/users", json=sign_up),
        client.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        ),
    ]
    return [
        Answer(r.status_code, r.json(), r.headers.get("Retry-After")) for r in responses
    ]


def list_users(client: TestClient) -> int:
    return (client.get("/api/v1/users")).status_code


def test_an_outage_is_a_503_and_the_app_recovers_after_it(
    committed_client: TestClient, server: PostgresServer, app_on: Engine
) -> None:
    before = requests_of_every_kind(committed_client, "before@example.com")
    assert [a.status for a in before] == [200, 200, 201, 200]

    # The throwaway server trades durability for speed (synchronous_commit=off):
    # flush what it acknowledged, so that the crash below loses nothing.
    with app_on.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")
    server.pause()
    try:
        during = requests_of_every_kind(committed_client, "during@example.com")
        burst = at_once([partial(list_users, committed_client)] * 10)
    finally:
        server.resume()

    assert [a.status for a in during] == [503] * 4
    assert during[0].body == {"status": "unavailable", "database": "unreachable"}
    assert [a.body for a in during[1:]] == [UNAVAILABLE] * 3
    assert all(a.retry_after for a in during[1:])
    assert burst == [503] * 10
    assert connections_in_use(app_on) == 0

    after = requests_of_every_kind(committed_client, "after@example.com")
    assert [a.status for a in after] == [200, 200, 201, 200]
    assert connections_in_use(app_on) == 0


@pytest.mark.parametrize(
    ("app_on", "first_request"),
    [(True, 200), (False, 503)],
    ids=["pre-ping", "no-pre-ping"],
    indirect=["app_on"],
)
def test_a_restart_between_requests_costs_one_503_without_pre_ping(
    committed_client: TestClient,
    server: PostgresServer,
    app_on: Engine,
    first_request: int,
) -> None:
    assert list_users(committed_client) == 200  # a connection is pooled
    with app_on.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")
    server.pause()
    server.resume()

    # The pooled connection died with the server. Pre-ping finds that out and
    # connects again; without it the request that gets the connection fails,
    # and the failure makes the pool replace every connection it holds.
    assert list_users(committed_client) == first_request
    assert [list_users(committed_client) for _ in range(3)] == [200] * 3
    assert connections_in_use(app_on) == 0
