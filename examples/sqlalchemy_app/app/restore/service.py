"""Bringing soft-deleted rows back."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.deletion import INCLUDE_DELETED, DeletionMixin, restore_statements
from app.users.constraints import EMAIL_INDEX, violates
from app.users.exceptions import EmailTakenError

M = TypeVar("M", bound=DeletionMixin)


def get_including_deleted(*, session: Session, model: type[M], row_id: int) -> M | None:
    """Fetch a row whether or not it is soft-deleted."""
    return session.get(model, row_id, execution_options={INCLUDE_DELETED: True})


def restore(*, session: Session, row: M) -> M:
    """Restore a row and exactly the rows its delete took with it.

    Rows that were deleted on their own, earlier, stay deleted. Restoring a
    live row changes nothing. A user whose email was taken since gets a 409.
    """
    if row.deleted_at is None:
        return row
    try:
        for statement in restore_statements(row):
            session.execute(statement)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if violates(error, EMAIL_INDEX):
            raise EmailTakenError(
                "Email already registered by another user; cannot restore"
            ) from None
        raise
    session.refresh(row)
    return row
