# unasync: generated from test_logging.py by scripts/unasync.py. Do not edit:
# unasync: edit test_logging.py, then run `python scripts/unasync.py`.
"""One log line per request, with its id; JSON on demand; slow SQL; SQL echo."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings, settings
from app.main import create_app
from app.observability import REQUEST_ID_HEADER, configure_logging

SEARCH = "needle-in-the-haystack"


@pytest.fixture
def reconfigure() -> Iterator[None]:
    """Let a test configure logging its own way; the app's comes back after."""
    yield
    configure_logging(settings)


def records(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def test_each_request_is_logged_once_with_its_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app")

    response = client.get("/api/v1/users", headers={REQUEST_ID_HEADER: "abc-123"})

    assert response.headers[REQUEST_ID_HEADER] == "abc-123"
    [line] = records(caplog, "app.requests")
    assert line.getMessage().startswith("GET /api/v1/users 200 ")
    fields = vars(line)
    assert {k: fields[k] for k in ("request_id", "method", "path", "status")} == {
        "request_id": "abc-123",
        "method": "GET",
        "path": "/api/v1/users",
        "status": 200,
    }
    assert fields["duration_ms"] >= 0


@pytest.mark.parametrize(
    "given", [None, "", "two words", "x" * 200, "ünïcode"], ids=repr
)
def test_a_missing_or_unsafe_request_id_is_replaced(
    client: TestClient, given: str | None
) -> None:
    headers = [] if given is None else [(REQUEST_ID_HEADER.encode(), given.encode())]

    response = client.get("/health", headers=headers)

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers[REQUEST_ID_HEADER])


def test_every_request_gets_its_own_id(client: TestClient) -> None:
    first = client.get("/health")
    second = client.get("/health")

    assert first.headers[REQUEST_ID_HEADER] != second.headers[REQUEST_ID_HEADER]


def test_logs_are_json_when_asked(client: TestClient, reconfigure: None) -> None:
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json"}), stream)

    client.get("/api/v1/users", headers={REQUEST_ID_HEADER: "req-1"})

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [request] = [line for line in lines if line["logger"] == "app.requests"]
    assert request["request_id"] == "req-1"
    assert (request["method"], request["path"], request["status"]) == (
        "GET",
        "/api/v1/users",
        200,
    )
    assert request["level"] == "INFO"
    assert isinstance(request["duration_ms"], float)


def test_slow_queries_are_logged_without_their_parameters(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    monkeypatch.setattr(settings, "slow_query_ms", 0)  # every query is "slow"

    client.get("/api/v1/users", params={"q": SEARCH})

    slow = records(caplog, "app.sql")
    assert [r for r in slow if "FROM users" in vars(r)["statement"]]
    assert all(vars(r)["duration_ms"] >= 0 for r in slow)
    assert not [r for r in slow if SEARCH in r.getMessage()]


def test_fast_queries_are_not_logged(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    monkeypatch.setattr(settings, "slow_query_ms", 60_000)

    client.get("/api/v1/users")

    assert records(caplog, "app.requests")
    assert records(caplog, "app.sql") == []


def test_sql_echo_is_off_by_default() -> None:
    assert Settings.model_fields["sql_echo"].default is False
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)


def test_sql_echo_logs_every_statement_when_on(
    committed_client: TestClient,
    caplog: pytest.LogCaptureFixture,
    reconfigure: None,
) -> None:
    configure_logging(settings.model_copy(update={"sql_echo": True}), io.StringIO())

    # A new connection: SQLAlchemy decides on echo when it opens one.
    committed_client.get("/api/v1/users")

    echoed = [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy")]
    assert any("FROM users" in message for message in echoed)


@pytest.fixture
def buggy_client() -> Iterator[TestClient]:
    """A client for an app with one more route, which fails as a bug would."""
    application = create_app()

    @application.get("/notes")
    def read_notes() -> str:
        return Path("/nonexistent/notes.txt").read_text()

    client = TestClient(application, base_url="http://test")
    try:
        yield client
    finally:
        client.close()


def test_a_bug_is_a_500_logged_once_with_its_request_id(
    buggy_client: TestClient, caplog: pytest.LogCaptureFixture, reconfigure: None
) -> None:
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json"}), stream)

    # A FileNotFoundError is an OSError, but the database has nothing to do
    # with it: no 503.
    response = buggy_client.get("/notes", headers={REQUEST_ID_HEADER: "req-9"})

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert response.headers[REQUEST_ID_HEADER] == "req-9"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [error] = [line for line in lines if "exception" in line]
    assert error["request_id"] == "req-9"
    assert error["level"] == "ERROR"
    assert "FileNotFoundError" in error["exception"]
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1
