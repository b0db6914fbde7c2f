"""The throttle's statements. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Delete, case, delete, select
from sqlalchemy.dialects.sqlite import Insert, insert

from app.throttle.models import LoginFailure

# Rows of passed windows that one failed login deletes, at most.
PRUNE_BATCH = 100


def count_failure(keys: Sequence[str], *, now: datetime, cutoff: datetime) -> Insert:
    """Add one failure to each key, in one statement.

    A key seen for the first time, or whose window began at `cutoff` or
    earlier, starts a new window at one. The database adds one to the count
    it holds, within the statement: parallel failures are each counted, where
    reading the count and writing it back would lose some.
    """
    statement = insert(LoginFailure).values(
        [{"key": key, "failures": 1, "window_start": now} for key in keys]
    )
    passed = LoginFailure.window_start <= cutoff
    return statement.on_conflict_do_update(
        index_elements=[LoginFailure.key],
        set_={
            "failures": case((passed, 1), else_=LoginFailure.failures + 1),
            "window_start": case(
                (passed, statement.excluded.window_start),
                else_=LoginFailure.window_start,
            ),
        },
    )


def prune(*, cutoff: datetime) -> Delete:
    """Delete some rows whose window has passed, so that the table holds only
    recent failures."""
    passed = (
        select(LoginFailure.key)
        .where(LoginFailure.window_start <= cutoff)
        .limit(PRUNE_BATCH)
    )
    return delete(LoginFailure).where(LoginFailure.key.in_(passed))


def reset(key: str) -> Delete:
    return delete(LoginFailure).where(LoginFailure.key == key)
