"""Recognising which constraint a database error is about. No I/O."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

# only: postgresql
EMAIL_INDEX = "uq_users_email"
# end: postgresql
# only: sqlite
# SQLite's message names the column of a unique index on one, not the index.
EMAIL_INDEX = "users.email"
# end: sqlite


def violates(error: IntegrityError, name: str) -> bool:
    """True if the error is a violation of the named constraint or index.

    The database's message names the index, or the column it covers.
    """
    return name in str(error.orig)
