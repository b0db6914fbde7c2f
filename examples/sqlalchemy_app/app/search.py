"""Case-insensitive substring search that treats `%`, `_` and `\\` literally.

Why there is no search index: a pattern that starts with a wildcard
(`'%text%'`) cannot be served by a B-tree index. At the sizes this app is built
for (tens of thousands of posts) the scan costs milliseconds.
"""
# When it stops being cheap, move to SQLite's full-text search (an FTS5 table
# kept in step with posts by triggers, in a migration).

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

    The pattern is a bound parameter, never formatted into the SQL.
    """
    # SQLite has no ILIKE: SQLAlchemy writes `ilike` as lower(x) LIKE lower(y).
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
