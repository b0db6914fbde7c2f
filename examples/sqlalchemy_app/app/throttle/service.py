"""Counting failed logins, and refusing logins while there are too many.

A login checks first (`check`, a read), then the password, then writes what
came of it (`record_failure` or `record_success`) in a short transaction of
its own: no lock is held while the password is hashed. Parallel logins for one
account may all pass the check before any failure is written, so a burst of
them gets at most its own size past the limit; each is counted all the same
(queries.count_failure), and the next login finds the account closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import settings
from app.database import utc_now
from app.driver import WRITE_INTENT
from app.throttle import queries
from app.throttle.exceptions import TooManyLoginsError
from app.throttle.models import LoginFailure
from app.users.schemas import normalise_email


def account_key(email: str) -> str:
    return f"account:{normalise_email(email)}"


def address_key(address: str) -> str:
    return f"address:{address}"


@dataclass(frozen=True)
class Attempt:
    """A login that may go ahead: whose failures it counts against."""

    account: str
    address: str
    # The account has failures on record, which a success clears.
    account_failed_before: bool


def _window() -> timedelta:
    return timedelta(minutes=settings.login_window_minutes)


def _retry_after(window_start: datetime, now: datetime) -> int:
    """Whole seconds until the window that began at `window_start` has passed."""
    return max(1, ceil((window_start + _window() - now).total_seconds()))


def check(*, session: Session, email: str, address: str) -> Attempt:
    """The attempt, or TooManyLoginsError while the account or the address
    has had its most failures for the current window. Reads only."""
    account, client = account_key(email), address_key(address)
    limits = {
        account: settings.login_max_failures,
        client: settings.login_max_failures_per_address,
    }
    now = utc_now()
    rows = (
        session.execute(
            select(
                LoginFailure.key, LoginFailure.failures, LoginFailure.window_start
            ).where(LoginFailure.key.in_(limits))
        )
    ).all()
    waits = [
        _retry_after(window_start, now)
        for key, failures, window_start in rows
        if failures >= limits[key] and window_start > now - _window()
    ]
    if waits:
        raise TooManyLoginsError(retry_after=max(waits))
    return Attempt(account, client, any(key == account for key, _, _ in rows))


def _begin_write(session: Session) -> None:
    """End the login's transaction and begin one that writes."""
    session.commit()
    # The write lock is taken at once, and only for this short transaction.
    session.connection(execution_options=WRITE_INTENT)


def record_failure(*, session: Session, attempt: Attempt) -> None:
    """Count a failed login against its account and its address."""
    now = utc_now()
    cutoff = now - _window()
    _begin_write(session)
    session.execute(
        queries.count_failure(
            [attempt.account, attempt.address], now=now, cutoff=cutoff
        )
    )
    session.execute(
        queries.prune(cutoff=cutoff), execution_options={"synchronize_session": False}
    )
    session.commit()


def record_success(*, session: Session, attempt: Attempt) -> None:
    """Clear the account's failures, if it has any; the address keeps its own."""
    if not attempt.account_failed_before:
        return
    _begin_write(session)
    session.execute(
        queries.reset(attempt.account), execution_options={"synchronize_session": False}
    )
    session.commit()
