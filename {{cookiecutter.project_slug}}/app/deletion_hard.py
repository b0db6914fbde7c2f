"""Hard delete: `session.delete(obj)` removes the row for good.

Child rows go with it through `ON DELETE CASCADE` in the database (foreign keys
are switched on for SQLite in app/driver.py), so no orphan is ever left, even
for rows that were never loaded into the session.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Index

SOFT_DELETE = False


class DeletionMixin:
    """Adds nothing: with hard delete a row is either there or gone."""

    __soft_delete_cascade__: ClassVar[tuple[str, ...]] = ()


def unique_among_live(name: str, model: Any, *expressions: Any) -> Index:
    """A unique index (every row is live with hard delete)."""
    del model
    return Index(name, *expressions, unique=True)
