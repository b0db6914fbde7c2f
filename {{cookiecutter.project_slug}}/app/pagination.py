"""Offset and cursor (keyset) pagination: statements and cursors, no I/O."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import InvalidCursorError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

T = TypeVar("T")
# Any SELECT, whatever its columns (SQLAlchemy 2.1 types them as a TypeVarTuple).
S = TypeVar("S", bound=Select[*tuple[Any, ...]])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="`next_cursor` of the previous page"),
]


class OffsetPage(BaseModel, Generic[T]):
    """A page of an offset-paginated list, with the total count."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int
    limit: int
    offset: int


class CursorPage(BaseModel, Generic[T]):
    """A page of a keyset-paginated list. `next_cursor` is null on the last page."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the sort key of its last row."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """Parse an opaque cursor; anything malformed is InvalidCursorError."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            created_at, row_id = json.loads(raw)
            position = cls(datetime.fromisoformat(created_at), int(row_id))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidCursorError from None
        if position.created_at.tzinfo is None or not 0 < position.id < 2**63:
            raise InvalidCursorError
        return position


def keyset_page(
    statement: S,
    *,
    created_at: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
    newest_first: bool,
) -> S:
    """Order by (created_at, id) and start after the cursor, fetching one extra
    row to learn whether a next page exists."""
    if cursor is not None:
        after = Position.decode(cursor)
        # A row-value comparison, (created_at, id) < (x, y), is what lets the
        # database seek straight to the position in the (created_at, id) index;
        # the equivalent OR of two conditions makes it scan up to it.
        key = tuple_(created_at, id_column)
        position = tuple_(literal(after.created_at, created_at.type), literal(after.id))
        condition = key < position if newest_first else key > position
        statement = statement.where(condition)
    order = (
        (created_at.desc(), id_column.desc())
        if newest_first
        else (created_at.asc(), id_column.asc())
    )
    return statement.order_by(*order).limit(limit + 1)


def next_cursor(rows: list[Any], limit: int) -> str | None:
    """The cursor after a page fetched with `keyset_page` (which asked for limit+1).

    Drops the extra row from `rows` in place.
    """
    if len(rows) <= limit:
        return None
    del rows[limit:]
    last = rows[-1]
    return Position(last.created_at, last.id).encode()
