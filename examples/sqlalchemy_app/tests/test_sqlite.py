"""SQLite specifics: every pooled connection is tuned as app/driver.py says,
a password is never hashed or checked while the write lock is held, and only
a database that is busy or cannot be read is a 503."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import Session

from app.auth import security
from app.config import Settings, settings
from app.database import create_engine_from, get_session
from app.driver import SQLITE_BUSY_TIMEOUT_SECONDS, SQLITE_CACHE_KIB
from app.main import app
from app.throttle.models import LoginFailure
from app.throttle.service import account_key
from tests.conftest import PASSWORD, at_once


def test_pooled_connections_are_tuned(session: Session) -> None:
    connection = session.connection()
    pragmas = {
        name: (connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
        for name in ("foreign_keys", "journal_mode", "busy_timeout", "cache_size")
    }

    assert pragmas == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
        # Negative: a size in KiB rather than in pages.
        "cache_size": -SQLITE_CACHE_KIB,
    }


class PausedHasher:
    """The app's hasher. Once `armed`, each hash or check stops halfway until
    `resume` is set, so that a test can act while a password is being hashed."""

    def __init__(self, hasher: PasswordHash) -> None:
        self.hasher = hasher
        self.armed = False
        self.started = threading.Event()
        self.resume = threading.Event()

    def _pause(self) -> None:
        if self.armed:
            self.started.set()
            self.resume.wait(timeout=10)

    def hash(self, password: str) -> str:
        self._pause()
        return self.hasher.hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        self._pause()
        return self.hasher.verify(password, hashed)


@pytest.fixture
def paused_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[PausedHasher]:
    """The app hashes with a PausedHasher during the test."""
    hasher = PausedHasher(security.password_hash)
    monkeypatch.setattr(security, "password_hash", hasher)
    try:
        yield hasher
    finally:
        hasher.resume.set()


def take_write_lock(database: str) -> str:
    """Take the write lock on a connection of our own and commit, waiting for
    the lock 100 ms at most: "taken", or the error that said why not."""
    connection = sqlite3.connect(database, timeout=0.1, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("COMMIT")
    except sqlite3.OperationalError as error:
        return str(error)
    finally:
        connection.close()
    return "taken"


def write_while_hashing(hasher: PausedHasher, database: str) -> str:
    """Once a hash is under way, try to take the write lock; then let it finish."""
    try:
        hasher.started.wait(timeout=10)
        return take_write_lock(database) if hasher.started.is_set() else "no hash"
    finally:
        hasher.resume.set()


def sign_up(client: TestClient, email: str) -> dict[str, str]:
    """Sign up with PASSWORD; the new user's authorization headers."""
    body = {"name": "Writer", "email": email, "password": PASSWORD}
    response = client.post("/api/v1/users", json=body)
    assert response.status_code == 201
    token = client.post(
        "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def outcome(client: TestClient, method: str, url: str, **options: Any) -> str:
    """Send a request; its method and status, as "POST 200"."""
    response = client.request(method, url, **options)
    return f"{method} {response.status_code}"


def test_a_login_leaves_the_write_lock_free_while_it_checks_the_password(
    committed_client: TestClient, engine: Engine, paused_hasher: PausedHasher
) -> None:
    sign_up(committed_client, "ada@example.com")
    paused_hasher.armed = True
    credentials = {"username": "ada@example.com", "password": PASSWORD}

    outcomes = at_once(
        [
            partial(
                outcome,
                committed_client,
                "POST",
                "/api/v1/auth/token",
                data=credentials,
            ),
            partial(write_while_hashing, paused_hasher, str(engine.url.database)),
        ]
    )

    assert outcomes == ["POST 200", "taken"]


def test_a_failed_login_is_counted_after_the_password_check(
    committed_client: TestClient, engine: Engine, paused_hasher: PausedHasher
) -> None:
    sign_up(committed_client, "ada@example.com")
    paused_hasher.armed = True
    credentials = {"username": "ada@example.com", "password": "not the password"}

    outcomes = at_once(
        [
            partial(
                outcome,
                committed_client,
                "POST",
                "/api/v1/auth/token",
                data=credentials,
            ),
            partial(write_while_hashing, paused_hasher, str(engine.url.database)),
        ]
    )

    assert outcomes == ["POST 401", "taken"]
    with engine.connect() as connection:
        counted = connection.scalar(
            select(LoginFailure.failures).where(
                LoginFailure.key == account_key("ada@example.com")
            )
        )
    assert counted == 1


def test_an_email_change_checks_the_password_before_it_takes_the_write_lock(
    committed_client: TestClient, engine: Engine, paused_hasher: PausedHasher
) -> None:
    headers = sign_up(committed_client, "ada@example.com")
    me = (committed_client.get("/api/v1/users/me", headers=headers)).json()
    paused_hasher.armed = True
    change = {"email": "countess@example.com", "current_password": PASSWORD}

    outcomes = at_once(
        [
            partial(
                outcome,
                committed_client,
                "PATCH",
                f"/api/v1/users/{me['id']}",
                json=change,
                headers=headers,
            ),
            partial(write_while_hashing, paused_hasher, str(engine.url.database)),
        ]
    )

    assert outcomes == ["PATCH 200", "taken"]


def test_a_password_change_hashes_before_it_takes_the_write_lock(
    committed_client: TestClient, engine: Engine, paused_hasher: PausedHasher
) -> None:
    headers = sign_up(committed_client, "ada@example.com")
    paused_hasher.armed = True
    change = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}

    outcomes = at_once(
        [
            partial(
                outcome,
                committed_client,
                "PUT",
                "/api/v1/users/me/password",
                json=change,
                headers=headers,
            ),
            partial(write_while_hashing, paused_hasher, str(engine.url.database)),
        ]
    )

    assert outcomes == ["PUT 204", "taken"]
    login = committed_client.post(
        "/api/v1/auth/token",
        data={"username": "ada@example.com", "password": change["new_password"]},
    )
    assert login.status_code == 200


def test_a_sign_up_hashes_before_it_takes_the_write_lock(
    committed_client: TestClient, engine: Engine, paused_hasher: PausedHasher
) -> None:
    paused_hasher.armed = True
    body = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}

    outcomes = at_once(
        [
            partial(outcome, committed_client, "POST", "/api/v1/users", json=body),
            partial(write_while_hashing, paused_hasher, str(engine.url.database)),
        ]
    )

    assert outcomes == ["POST 201", "taken"]


def delete_while_hashing(
    hasher: PausedHasher, client: TestClient, url: str, headers: dict[str, str]
) -> str:
    """Once a hash is under way, send a DELETE; then let the hash finish."""
    try:
        hasher.started.wait(timeout=10)
        return outcome(client, "DELETE", url, headers=headers)
    finally:
        hasher.resume.set()


def test_a_password_change_for_a_user_deleted_while_it_hashes_is_a_404(
    committed_client: TestClient, paused_hasher: PausedHasher
) -> None:
    headers = sign_up(committed_client, "ada@example.com")
    me = (committed_client.get("/api/v1/users/me", headers=headers)).json()
    url = f"/api/v1/users/{me['id']}"
    paused_hasher.armed = True

    change = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}

    outcomes = at_once(
        [
            partial(
                outcome,
                committed_client,
                "PUT",
                "/api/v1/users/me/password",
                json=change,
                headers=headers,
            ),
            partial(
                delete_while_hashing, paused_hasher, committed_client, url, headers
            ),
        ]
    )

    assert outcomes == ["PUT 404", "DELETE 204"]


def test_sql_the_database_refuses_is_a_500_not_an_outage(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLite says "no such table" with the same OperationalError as "database
    # is locked", yet only the second means the database cannot serve now.
    session.execute(text("DROP TABLE post_tags"))

    response = client.get("/api/v1/tags")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    [logged] = [record for record in caplog.records if record.exc_info]
    assert "no such table: post_tags" in caplog.text
    assert logged.levelname == "ERROR"


def test_a_database_file_that_cannot_be_opened_is_a_503(
    client: TestClient, tmp_path: Path
) -> None:
    missing = make_url(settings.database_url).set(
        database=str(tmp_path / "gone" / "app.db")
    )
    unreachable = create_engine_from(Settings(database_url=missing.render_as_string()))

    def session_on_it() -> Iterator[Session]:
        with Session(unreachable) as session:
            yield session

    app.dependency_overrides[get_session] = session_on_it
    try:
        response = client.get("/api/v1/users")
    finally:
        unreachable.dispose()

    assert response.status_code == 503
    assert response.headers["Retry-After"]
