"""Recognising which constraint a database error is about. No I/O."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

EMAIL_INDEX = "uq_users_email_lower"


def violates(error: IntegrityError, name: str) -> bool:
    """True if the error is a violation of the named constraint or index.

    The database names the index in its message.
    """
    return name in str(error.orig)
