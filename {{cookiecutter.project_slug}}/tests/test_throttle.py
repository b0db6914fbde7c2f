"""Login throttling: per account, per client address, counted in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.config import settings
from app.database import utc_now
from app.throttle.models import LoginFailure
from app.throttle.service import account_key
from app.users.models import User
from tests.conftest import PASSWORD, at_once

TOKEN = "/api/v1/auth/token"
WRONG = "not the password"


async def login(
    client: AsyncClient, email: str, password: str, forwarded_for: str | None = None
) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = await client.post(
        TOKEN, data={"username": email, "password": password}, headers=headers
    )
    return response.status_code


async def fail(client: AsyncClient, email: str, times: int) -> list[int]:
    return [await login(client, email, WRONG) for _ in range(times)]


async def test_after_too_many_failures_even_the_right_password_gets_429(
    client: AsyncClient, user: User
) -> None:
    failures = await fail(client, user.email, settings.login_max_failures)

    response = await client.post(
        TOKEN, data={"username": user.email, "password": PASSWORD}
    )

    assert failures == [401] * settings.login_max_failures
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed logins; try again later"}
    window = settings.login_window_minutes * 60
    assert 0 < int(response.headers["Retry-After"]) <= window


async def test_another_account_is_not_affected(
    client: AsyncClient, user: User, superuser: User
) -> None:
    await fail(client, user.email, settings.login_max_failures)

    assert await login(client, superuser.email, PASSWORD) == 200


async def test_a_success_resets_the_count(client: AsyncClient, user: User) -> None:
    almost = settings.login_max_failures - 1
    await fail(client, user.email, almost)

    success = await login(client, user.email, PASSWORD)
    again = await fail(client, user.email, almost)

    assert success == 200
    assert again == [401] * almost
    assert await login(client, user.email, PASSWORD) == 200


async def test_unknown_emails_are_throttled_alike(client: AsyncClient) -> None:
    # Else a 429 would tell that an email has an account.
    failures = await fail(client, "nobody@example.com", settings.login_max_failures)

    assert failures == [401] * settings.login_max_failures
    assert await login(client, "NOBODY@example.com", WRONG) == 429


async def test_retry_after_counts_to_the_end_of_the_window_then_logins_resume(
    client: AsyncClient, session: AsyncSession, user: User
) -> None:
    await fail(client, user.email, settings.login_max_failures)
    window = timedelta(minutes=settings.login_window_minutes)
    first_failure = LoginFailure.key == account_key(user.email)

    await session.execute(
        update(LoginFailure)
        .where(first_failure)
        .values(window_start=utc_now() - window + timedelta(minutes=5))
    )
    blocked = await client.post(
        TOKEN, data={"username": user.email, "password": PASSWORD}
    )
    await session.execute(
        update(LoginFailure)
        .where(first_failure)
        .values(window_start=utc_now() - window)
    )
    passed = await login(client, user.email, PASSWORD)

    assert blocked.status_code == 429
    assert 240 < int(blocked.headers["Retry-After"]) <= 300
    assert passed == 200


async def test_a_failure_prunes_windows_that_have_passed(
    client: AsyncClient, session: AsyncSession
) -> None:
    long_ago = utc_now() - timedelta(minutes=settings.login_window_minutes + 1)
    session.add(
        LoginFailure(
            key=account_key("old@example.com"), failures=3, window_start=long_ago
        )
    )
    await session.flush()

    await fail(client, "new@example.com", 1)

    accounts = await session.scalars(
        select(LoginFailure.key).where(LoginFailure.key.startswith("account:"))
    )
    assert accounts.all() == [account_key("new@example.com")]


async def test_an_address_with_too_many_failures_over_any_accounts_gets_429(
    client: AsyncClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)
    monkeypatch.setattr(settings, "trusted_proxy_hops", 1)
    attacker, other = "203.0.113.7", "198.51.100.1"

    sprayed = [
        await login(client, f"victim{n}@example.com", WRONG, attacker) for n in range(3)
    ]

    assert sprayed == [401] * 3
    assert await login(client, user.email, PASSWORD, attacker) == 429
    assert await login(client, user.email, PASSWORD, other) == 200


async def test_only_the_trusted_hop_of_x_forwarded_for_counts(
    client: AsyncClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)
    monkeypatch.setattr(settings, "trusted_proxy_hops", 1)

    # The client writes what it likes on the left; the proxy appends the truth.
    sprayed = [
        await login(client, f"victim{n}@example.com", WRONG, f"10.0.0.{n}, 203.0.113.7")
        for n in range(3)
    ]

    assert sprayed == [401] * 3
    assert await login(client, user.email, PASSWORD, "10.9.9.9, 203.0.113.7") == 429


async def test_x_forwarded_for_is_ignored_without_trusted_proxies(
    client: AsyncClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)

    sprayed = [
        await login(client, f"victim{n}@example.com", WRONG, f"198.51.100.{n}")
        for n in range(3)
    ]

    assert settings.trusted_proxy_hops == 0
    assert sprayed == [401] * 3
    assert await login(client, user.email, PASSWORD, "198.51.100.9") == 429


async def test_a_burst_of_wrong_logins_is_counted_in_full(
    committed_client: AsyncClient, engine: AsyncEngine
) -> None:
    """Parallel logins, each on its own connection: every failure is counted,
    so the burst gets no further past the limit than its own size."""
    email, burst = "burst@example.com", 3 * settings.login_max_failures
    signed_up = await committed_client.post(
        "/api/v1/users", json={"name": "Burst", "email": email, "password": PASSWORD}
    )

    async def wrong() -> int:
        return await login(committed_client, email, WRONG)

    statuses = await at_once([wrong] * burst)
    async with engine.connect() as connection:
        rows = await connection.execute(select(LoginFailure.key, LoginFailure.failures))
        counted = dict(rows.all())

    assert signed_up.status_code == 201
    assert sorted(set(statuses)) <= [401, 429]
    assert statuses.count(401) >= settings.login_max_failures
    assert counted[account_key(email)] == statuses.count(401)
    assert [n for key, n in counted.items() if key.startswith("address:")] == [
        statuses.count(401)
    ]
    assert await login(committed_client, email, PASSWORD) == 429
