"""Changing a password, and resetting a forgotten one by email.

The reset tests run a real SMTP server in-process (aiosmtpd), read the
message it received, and finish the reset with the token in it.
"""

from __future__ import annotations

import email
import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from functools import partial

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import PasswordResetToken
from app.config import Settings, settings
from app.database import utc_now
from app.users.models import User
from tests.conftest import PASSWORD, at_once, free_port, headers_for

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/users/me"
CHANGE = "/api/v1/users/me/password"
RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "a brand new passphrase"
# The token in a reset mail: on a line of its own.
MAILED_TOKEN = re.compile(r"^([A-Za-z0-9_-]{43})\s*$", re.MULTILINE)


async def log_in(
    client: AsyncClient, address: str = "ada@example.com", password: str = PASSWORD
) -> dict[str, str]:
    form = {"username": address, "password": password}
    response = await client.post(TOKEN, data=form)
    tokens: dict[str, str] = response.json()
    return tokens if response.status_code == 200 else {}


async def can_log_in(
    client: AsyncClient, address: str = "ada@example.com", password: str = PASSWORD
) -> bool:
    return bool(await log_in(client, address, password))


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


async def still_work(client: AsyncClient, tokens: dict[str, str]) -> tuple[bool, bool]:
    """Whether the access token, then the refresh token, are still accepted."""
    me = await client.get(ME, headers=bearer(tokens["access_token"]))
    refreshed = await client.post(
        REFRESH, json={"refresh_token": tokens["refresh_token"]}
    )
    return me.status_code == 200, refreshed.status_code == 200


# Changing the password.


async def test_a_password_change_needs_the_right_current_password(
    client: AsyncClient, user: User
) -> None:
    response = await client.put(
        CHANGE,
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers_for(user),
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "The current password is wrong"}
    assert await can_log_in(client)
    assert not await can_log_in(client, password=NEW_PASSWORD)


async def test_a_password_change_refuses_every_token_issued_before(
    client: AsyncClient, user: User
) -> None:
    # All in the same second as the change: the tokens' times cannot tell.
    this_device = await log_in(client)
    other_device = await log_in(client)

    response = await client.put(
        CHANGE,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(this_device["access_token"]),
    )

    assert response.status_code == 204
    assert await still_work(client, this_device) == (False, False)
    assert await still_work(client, other_device) == (False, False)
    assert not await can_log_in(client)
    fresh = await log_in(client, password=NEW_PASSWORD)
    assert await still_work(client, fresh) == (True, True)


async def test_a_password_change_needs_a_token(client: AsyncClient) -> None:
    response = await client.put(
        CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 401


async def test_patch_does_not_change_a_password(
    client: AsyncClient, user: User
) -> None:
    response = await client.patch(
        f"/api/v1/users/{user.id}",
        json={"password": NEW_PASSWORD},
        headers=headers_for(user),
    )

    assert response.status_code == 422
    assert await can_log_in(client)


# Resetting a forgotten password.


class Mailbox:
    """What an SMTP server received: an aiosmtpd handler."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    # unasync: keep
    async def handle_DATA(  # noqa: N802 - aiosmtpd's name
        self, server: SMTP, session: SMTPSession, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def token_for(self, address: str) -> str:
        """The token in the latest reset mail to this address."""
        body = self.to(address)[-1].get_content()
        match = MAILED_TOKEN.search(body)
        assert match is not None, body
        return match[1]


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on localhost, which the app sends its mail to."""
    box = Mailbox()
    server = Controller(box, hostname="127.0.0.1", port=free_port())
    server.start()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", server.port)
    monkeypatch.setattr(settings, "smtp_starttls", False)
    try:
        yield box
    finally:
        server.stop()


@pytest.fixture
async def ada(committed_client: AsyncClient) -> str:
    """A committed account (the mail is sent in a session of its own): its email."""
    body = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}
    response = await committed_client.post("/api/v1/users", json=body)
    assert response.status_code == 201
    return "ada@example.com"


async def ask_for_reset(client: AsyncClient, address: str) -> tuple[int, object]:
    response = await client.post(RESET, json={"email": address})
    return response.status_code, response.json()


async def confirm(client: AsyncClient, token: str, password: str = NEW_PASSWORD) -> int:
    response = await client.post(
        CONFIRM, json={"token": token, "new_password": password}
    )
    return response.status_code


def test_a_reset_token_lasts_half_an_hour_by_default() -> None:
    assert Settings.model_fields["password_reset_minutes"].default == 30


async def test_a_reset_mails_a_token_that_sets_a_new_password(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    status, _ = await ask_for_reset(committed_client, "ADA@example.com")

    assert status == 202
    [message] = mailbox.to(ada)
    assert message["From"] == settings.smtp_from
    assert await confirm(committed_client, mailbox.token_for(ada)) == 204
    assert await can_log_in(committed_client, password=NEW_PASSWORD)
    assert not await can_log_in(committed_client)


async def test_a_reset_answers_the_same_for_an_email_with_no_account(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    known = await ask_for_reset(committed_client, ada)
    unknown = await ask_for_reset(committed_client, "nobody@example.com")

    assert known == unknown
    assert known[0] == 202
    assert [m["To"] for m in mailbox.messages] == [ada]


async def test_a_reset_token_works_once_and_retires_every_earlier_one(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    await ask_for_reset(committed_client, ada)
    earlier = mailbox.token_for(ada)
    await ask_for_reset(committed_client, ada)
    latest = mailbox.token_for(ada)

    assert await confirm(committed_client, latest) == 204
    assert await confirm(committed_client, latest, "yet another passphrase") == 400
    assert await confirm(committed_client, earlier, "yet another passphrase") == 400
    assert await can_log_in(committed_client, password=NEW_PASSWORD)


async def test_a_reset_signs_out_every_session(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    tokens = await log_in(committed_client)
    await ask_for_reset(committed_client, ada)

    assert await confirm(committed_client, mailbox.token_for(ada)) == 204

    assert await still_work(committed_client, tokens) == (False, False)


@pytest.mark.parametrize("token", ["garbage", "A" * 43, "x" * 200])
async def test_a_garbage_reset_token_is_400(
    committed_client: AsyncClient, ada: str, token: str
) -> None:
    response = await committed_client.post(
        CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid, used or expired password reset token"
    }
    assert await can_log_in(committed_client)


async def test_an_expired_reset_token_is_400(
    committed_client: AsyncClient, engine: AsyncEngine, mailbox: Mailbox, ada: str
) -> None:
    await ask_for_reset(committed_client, ada)
    async with engine.begin() as connection:
        await connection.execute(
            update(PasswordResetToken).values(
                expires_at=utc_now() - timedelta(seconds=1)
            )
        )

    assert await confirm(committed_client, mailbox.token_for(ada)) == 400
    assert await can_log_in(committed_client)


async def test_a_deleted_account_gets_no_reset_mail(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    tokens = await log_in(committed_client)
    me = (await committed_client.get(ME, headers=bearer(tokens["access_token"]))).json()
    await committed_client.delete(
        f"/api/v1/users/{me['id']}", headers=bearer(tokens["access_token"])
    )

    status, _ = await ask_for_reset(committed_client, ada)

    assert status == 202
    assert mailbox.messages == []


async def test_a_reset_token_of_an_account_deleted_since_is_400(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    tokens = await log_in(committed_client)
    me = (await committed_client.get(ME, headers=bearer(tokens["access_token"]))).json()
    await ask_for_reset(committed_client, ada)
    await committed_client.delete(
        f"/api/v1/users/{me['id']}", headers=bearer(tokens["access_token"])
    )

    assert await confirm(committed_client, mailbox.token_for(ada)) == 400


async def test_two_uses_of_one_reset_token_at_once_let_exactly_one_through(
    committed_client: AsyncClient, mailbox: Mailbox, ada: str
) -> None:
    await ask_for_reset(committed_client, ada)
    token = mailbox.token_for(ada)

    outcomes = await at_once(
        [partial(confirm, committed_client, token) for _ in range(4)]
    )

    assert Counter(outcomes) == {204: 1, 400: 3}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that takes connections and never says a word: a hung mail server."""
    with socket.create_server(("127.0.0.1", 0), backlog=8) as listener:
        port: int = listener.getsockname()[1]
        yield port


@pytest.mark.parametrize("server", ["closed", "silent"])
async def test_a_failing_mail_server_changes_nothing_in_the_answer(
    committed_client: AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    silent_server: int,
    ada: str,
    server: str,
) -> None:
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(
        settings, "smtp_port", silent_server if server == "silent" else free_port()
    )
    monkeypatch.setattr(settings, "smtp_timeout_seconds", 0.2)

    known = await ask_for_reset(committed_client, ada)
    unknown = await ask_for_reset(committed_client, "nobody@example.com")

    assert known == unknown
    assert known[0] == 202


async def test_in_development_without_a_mail_server_the_mail_is_logged(
    committed_client: AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    ada: str,
) -> None:
    monkeypatch.setattr(settings, "smtp_host", "")
    monkeypatch.setattr(settings, "environment", "development")

    with caplog.at_level("INFO", logger="app.mail"):
        status, _ = await ask_for_reset(committed_client, ada)

    assert status == 202
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "app.mail")
    token = MAILED_TOKEN.search(logged)
    assert token is not None
    assert await confirm(committed_client, token[1]) == 204
