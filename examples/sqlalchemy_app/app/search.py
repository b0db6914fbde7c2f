"""Case-insensitive substring search that treats `%`, `_` and `\\` literally."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """`%text%`, with LIKE's wildcards in `text` escaped."""
    escaped = (
        text.replace(ESCAPE, ESCAPE * 2)
        .replace("%", ESCAPE + "%")
        .replace("_", ESCAPE + "_")
    )
    return f"%{escaped}%"


def matches(text: str, *columns: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """True where any column contains `text`, ignoring case.

    `ilike` is ILIKE on PostgreSQL and lower(x) LIKE lower(y) on SQLite; the
    pattern is a bound parameter, never formatted into the SQL.
    """
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
