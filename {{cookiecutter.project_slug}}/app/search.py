"""Case-insensitive substring search that treats `%`, `_` and `\\` literally.

Why there is no search index: `ILIKE '%text%'` starts with a wildcard, so no
B-tree index can serve it, on PostgreSQL or SQLite. At the sizes this app is
built for (tens of thousands of posts) the scan costs milliseconds. When it
stops being cheap on PostgreSQL, add a trigram index in a migration, which
ILIKE uses as it is:

    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_posts_title_trgm ON posts USING gin (title gin_trgm_ops)")

or move to full-text search (`to_tsvector`) for ranking and stemming.
"""

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
