"""Login, refresh, logout: which tokens work, and which never again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.auth.models import RefreshToken
from app.config import Settings, settings
from app.database import get_session, utc_now
from app.main import create_app
from app.users.models import User
from tests.conftest import PASSWORD, at_once, headers_for

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


def log_in(client: TestClient, email: str = "ada@example.com") -> dict[str, Any]:
    response = client.post(TOKEN, data={"username": email, "password": PASSWORD})
    assert response.status_code == 200
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def status_of_me(client: TestClient, access_token: str) -> int:
    return (client.get(ME, headers=bearer(access_token))).status_code


def refresh(client: TestClient, refresh_token: str) -> tuple[int, dict[str, Any]]:
    response = client.post(REFRESH, json={"refresh_token": refresh_token})
    return response.status_code, response.json()


def test_tokens_are_short_lived_by_default() -> None:
    defaults = {
        name: Settings.model_fields[name].default
        for name in ("access_token_minutes", "refresh_token_days")
    }

    assert defaults == {"access_token_minutes": 15, "refresh_token_days": 14}


def test_login_gives_an_access_and_a_refresh_token(
    client: TestClient, user: User
) -> None:
    tokens = log_in(client)

    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == settings.access_token_minutes * 60
    assert status_of_me(client, tokens["access_token"]) == 200


def test_a_refresh_gives_new_tokens_and_retires_the_one_used(
    client: TestClient, user: User
) -> None:
    first = log_in(client)

    status, second = refresh(client, first["refresh_token"])

    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert status_of_me(client, second["access_token"]) == 200
    again, _ = refresh(client, second["refresh_token"])
    assert again == 200


def test_a_reused_refresh_token_ends_its_whole_session(
    client: TestClient, user: User
) -> None:
    first = log_in(client)
    _, second = refresh(client, first["refresh_token"])

    reuse, _ = refresh(client, first["refresh_token"])

    assert reuse == 401
    newest, _ = refresh(client, second["refresh_token"])
    assert newest == 401
    assert status_of_me(client, second["access_token"]) == 401
    assert status_of_me(client, first["access_token"]) == 401


def test_a_reuse_leaves_the_users_other_sessions_alone(
    client: TestClient, user: User
) -> None:
    stolen = log_in(client)
    other = log_in(client)
    refresh(client, stolen["refresh_token"])

    refresh(client, stolen["refresh_token"])

    assert status_of_me(client, other["access_token"]) == 200
    status, _ = refresh(client, other["refresh_token"])
    assert status == 200


def test_an_access_token_is_no_refresh_token_and_a_refresh_token_no_access_token(
    client: TestClient, user: User
) -> None:
    tokens = log_in(client)

    as_refresh, _ = refresh(client, tokens["access_token"])
    as_access = status_of_me(client, tokens["refresh_token"])

    assert (as_refresh, as_access) == (401, 401)
    status, _ = refresh(client, tokens["refresh_token"])
    assert status == 200


@pytest.mark.parametrize("token", ["not-a-token", "x" * 200, "é" * 43])
def test_an_unknown_refresh_token_is_401(client: TestClient, token: str) -> None:
    status, body = refresh(client, token)

    assert status == 401
    assert body == {"detail": "Invalid or expired refresh token"}


def test_an_expired_refresh_token_is_401(
    client: TestClient, session: Session, user: User
) -> None:
    tokens = log_in(client)
    session.execute(
        update(RefreshToken).values(expires_at=utc_now() - timedelta(seconds=1))
    )

    status, _ = refresh(client, tokens["refresh_token"])

    assert status == 401


def test_logout_refuses_that_sessions_access_and_refresh_tokens(
    client: TestClient, user: User
) -> None:
    tokens = log_in(client)
    other = log_in(client)

    response = client.post(LOGOUT, headers=bearer(tokens["access_token"]))

    assert response.status_code == 204
    assert status_of_me(client, tokens["access_token"]) == 401
    status, _ = refresh(client, tokens["refresh_token"])
    assert status == 401
    assert status_of_me(client, other["access_token"]) == 200


def test_logout_needs_a_valid_token(client: TestClient) -> None:
    missing = client.post(LOGOUT)
    bad = client.post(LOGOUT, headers=bearer("not.a.jwt"))

    assert (missing.status_code, bad.status_code) == (401, 401)


@pytest.fixture
def another_worker(session: Session) -> Iterator[TestClient]:
    """A client of a second app instance, as another worker process or the
    app after a restart: it shares the database and nothing else."""
    application = create_app()

    def same_session() -> Iterator[Session]:
        session.expunge_all()
        yield session

    application.dependency_overrides[get_session] = same_session
    client = TestClient(application, base_url="http://test")
    try:
        yield client
    finally:
        client.close()


def test_a_logout_holds_in_another_worker(
    client: TestClient, another_worker: TestClient, user: User
) -> None:
    tokens = log_in(client)
    assert status_of_me(another_worker, tokens["access_token"]) == 200

    client.post(LOGOUT, headers=bearer(tokens["access_token"]))

    assert status_of_me(another_worker, tokens["access_token"]) == 401
    status, _ = refresh(another_worker, tokens["refresh_token"])
    assert status == 401


def test_deleting_a_user_ends_their_sessions(client: TestClient, user: User) -> None:
    tokens = log_in(client)

    deleted = client.delete(f"/api/v1/users/{user.id}", headers=headers_for(user))

    assert deleted.status_code == 204
    assert status_of_me(client, tokens["access_token"]) == 401
    status, _ = refresh(client, tokens["refresh_token"])
    assert status == 401


def test_restoring_a_user_does_not_bring_their_sessions_back(
    client: TestClient, user: User, superuser: User
) -> None:
    tokens = log_in(client)
    client.delete(f"/api/v1/users/{user.id}", headers=headers_for(user))

    restored = client.post(
        f"/api/v1/users/{user.id}/restore", headers=headers_for(superuser)
    )

    assert restored.status_code == 200
    assert status_of_me(client, tokens["access_token"]) == 401
    status, _ = refresh(client, tokens["refresh_token"])
    assert status == 401
    assert status_of_me(client, (log_in(client))["access_token"]) == 200


def test_parallel_refreshes_with_one_token_let_exactly_one_through(
    committed_client: TestClient,
) -> None:
    body = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}
    assert (committed_client.post("/api/v1/users", json=body)).status_code == 201
    tokens = log_in(committed_client)

    outcomes = at_once(
        [partial(refresh, committed_client, tokens["refresh_token"]) for _ in range(5)]
    )

    assert Counter(status for status, _ in outcomes) == {200: 1, 401: 4}
