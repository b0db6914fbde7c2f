"""Login throttling: per account, per client address, counted in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.config import settings
from app.database import utc_now
from app.throttle.models import LoginFailure
from app.throttle.service import account_key
from app.users.models import User
from tests.conftest import PASSWORD, at_once

TOKEN = "/api/v1/auth/token"
WRONG = "not the password"


def login(
    client: TestClient, email: str, password: str, forwarded_for: str | None = None
) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        TOKEN, data={"username": email, "password": password}, headers=headers
    )
    return response.status_code


def fail(client: TestClient, email: str, times: int) -> list[int]:
    return [login(client, email, WRONG) for _ in range(times)]


def test_after_too_many_failures_even_the_right_password_gets_429(
    client: TestClient, user: User
) -> None:
    failures = fail(client, user.email, settings.login_max_failures)

    response = client.post(TOKEN, data={"username": user.email, "password": PASSWORD})

    assert failures == [401] * settings.login_max_failures
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed logins; try again later"}
    window = settings.login_window_minutes * 60
    assert 0 < int(response.headers["Retry-After"]) <= window


def test_another_account_is_not_affected(
    client: TestClient, user: User, superuser: User
) -> None:
    fail(client, user.email, settings.login_max_failures)

    assert login(client, superuser.email, PASSWORD) == 200


def test_a_success_resets_the_count(client: TestClient, user: User) -> None:
    almost = settings.login_max_failures - 1
    fail(client, user.email, almost)

    success = login(client, user.email, PASSWORD)
    again = fail(client, user.email, almost)

    assert success == 200
    assert again == [401] * almost
    assert login(client, user.email, PASSWORD) == 200


def test_unknown_emails_are_throttled_alike(client: TestClient) -> None:
    # Else a 429 would tell that an email has an account.
    failures = fail(client, "nobody@example.com", settings.login_max_failures)

    assert failures == [401] * settings.login_max_failures
    assert login(client, "NOBODY@example.com", WRONG) == 429


def test_retry_after_counts_to_the_end_of_the_window_then_logins_resume(
    client: TestClient, session: Session, user: User
) -> None:
    fail(client, user.email, settings.login_max_failures)
    window = timedelta(minutes=settings.login_window_minutes)
    first_failure = LoginFailure.key == account_key(user.email)

    session.execute(
        update(LoginFailure)
        .where(first_failure)
        .values(window_start=utc_now() - window + timedelta(minutes=5))
    )
    blocked = client.post(TOKEN, data={"username": user.email, "password": PASSWORD})
    session.execute(
        update(LoginFailure)
        .where(first_failure)
        .values(window_start=utc_now() - window)
    )
    passed = login(client, user.email, PASSWORD)

    assert blocked.status_code == 429
    assert 240 < int(blocked.headers["Retry-After"]) <= 300
    assert passed == 200


def test_a_failure_prunes_windows_that_have_passed(
    client: TestClient, session: Session
) -> None:
    long_ago = utc_now() - timedelta(minutes=settings.login_window_minutes + 1)
    session.add(
        LoginFailure(
            key=account_key("old@example.com"), failures=3, window_start=long_ago
        )
    )
    session.flush()

    fail(client, "new@example.com", 1)

    accounts = session.scalars(
        select(LoginFailure.key).where(LoginFailure.key.startswith("account:"))
    )
    assert accounts.all() == [account_key("new@example.com")]


def test_an_address_with_too_many_failures_over_any_accounts_gets_429(
    client: TestClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)
    monkeypatch.setattr(settings, "trusted_proxy_hops", 1)
    attacker, other = "203.0.113.7", "198.51.100.1"

    sprayed = [
        login(client, f"victim{n}@example.com", WRONG, attacker) for n in range(3)
    ]

    assert sprayed == [401] * 3
    assert login(client, user.email, PASSWORD, attacker) == 429
    assert login(client, user.email, PASSWORD, other) == 200


def test_only_the_trusted_hop_of_x_forwarded_for_counts(
    client: TestClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)
    monkeypatch.setattr(settings, "trusted_proxy_hops", 1)

    # The client writes what it likes on the left; the proxy appends the truth.
    sprayed = [
        login(client, f"victim{n}@example.com", WRONG, f"10.0.0.{n}, 203.0.113.7")
        for n in range(3)
    ]

    assert sprayed == [401] * 3
    assert login(client, user.email, PASSWORD, "10.9.9.9, 203.0.113.7") == 429


def test_x_forwarded_for_is_ignored_without_trusted_proxies(
    client: TestClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)

    sprayed = [
        login(client, f"victim{n}@example.com", WRONG, f"198.51.100.{n}")
        for n in range(3)
    ]

    assert settings.trusted_proxy_hops == 0
    assert sprayed == [401] * 3
    assert login(client, user.email, PASSWORD, "198.51.100.9") == 429


def test_a_burst_of_wrong_logins_is_counted_in_full(
    committed_client: TestClient, engine: Engine
) -> None:
    """Parallel logins, each on its own connection: every failure is counted,
    so the burst gets no further past the limit than its own size."""
    email, burst = "burst@example.com", 3 * settings.login_max_failures
    signed_up = committed_client.post(
        "/api/v1/users", json={"name": "Burst", "email": email, "password": PASSWORD}
    )

    def wrong() -> int:
        return login(committed_client, email, WRONG)

    statuses = at_once([wrong] * burst)
    with engine.connect() as connection:
        rows = connection.execute(select(LoginFailure.key, LoginFailure.failures))
        counted = dict(rows.all())

    assert signed_up.status_code == 201
    assert sorted(set(statuses)) <= [401, 429]
    assert statuses.count(401) >= settings.login_max_failures
    assert counted[account_key(email)] == statuses.count(401)
    assert [n for key, n in counted.items() if key.startswith("address:")] == [
        statuses.count(401)
    ]
    assert login(committed_client, email, PASSWORD) == 429
