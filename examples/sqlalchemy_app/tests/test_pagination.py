"""Cursor encoding: opaque, round-trips, and refuses anything tampered with.

Pure functions (app/pagination.py, app/search.py): no database needed. How
the app answers a refused cursor (400) is tested in tests/test_posts.py.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.errors import InvalidCursorError
from app.pagination import Position
from app.search import like_pattern


def encode_raw(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_raw(cursor: str) -> list[object]:
    """What a cursor carries, read as any client could read it."""
    raw: list[object] = json.loads(
        base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    )
    return raw


def test_a_cursor_carries_the_sort_key_of_the_last_row() -> None:
    position = Position(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 42)

    cursor = position.encode()

    assert decode_raw(cursor) == ["2026-01-02T03:04:05.678901+00:00", 42]
    # URL-safe and unpadded: it goes into a query string as it is.
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert Position.decode(cursor) == position


CURSOR = Position(datetime(2026, 1, 2, tzinfo=UTC), 42).encode()
CREATED_AT, ROW_ID = decode_raw(CURSOR)


@pytest.mark.parametrize(
    "cursor",
    [
        CURSOR[:-3],
        encode_raw([CREATED_AT, -42]),
        encode_raw([ROW_ID, CREATED_AT]),
    ],
    ids=["cut-short", "negative-id", "swapped"],
)
def test_a_tampered_cursor_is_refused(cursor: str) -> None:
    # The app answers InvalidCursorError with a 400 (tests/test_posts.py).
    with pytest.raises(InvalidCursorError):
        Position.decode(cursor)


def test_other_time_zones_compare_as_the_same_instant() -> None:
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    shifted = moment.astimezone(timezone(timedelta(hours=5)))

    decoded = Position.decode(Position(shifted, 1).encode())

    assert decoded.created_at == moment


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        encode_raw({"created_at": "2026-01-01T00:00:00+00:00", "id": 1}),
        encode_raw(["2026-01-01T00:00:00+00:00"]),
        encode_raw(["2026-01-01T00:00:00+00:00", 1, 2]),
        encode_raw(["yesterday", 1]),
        encode_raw(["2026-01-01T00:00:00", 1]),
        encode_raw(["2026-01-01T00:00:00+00:00", 0]),
        encode_raw(["2026-01-01T00:00:00+00:00", 2**63]),
        encode_raw(["2026-01-01T00:00:00+00:00", "1x"]),
        encode_raw([None, None]),
    ],
    ids=[
        "empty", "not-base64", "not-utf8", "object", "short", "long", "not-a-date",
        "naive-date", "zero-id", "huge-id", "text-id", "nulls",
    ],
)  # fmt: skip
def test_malformed_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursorError):
        Position.decode(cursor)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("abc", "%abc%"), ("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("x\\y", "%x\\\\y%")],
)
def test_like_pattern_escapes_wildcards(text: str, pattern: str) -> None:
    assert like_pattern(text) == pattern
