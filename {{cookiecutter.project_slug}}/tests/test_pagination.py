"""Cursor encoding: opaque, round-trips, and refuses anything tampered with.

Pure functions (app/pagination.py, app/search.py): no database needed.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.errors import InvalidCursorError
from app.pagination import Position
from app.search import like_pattern


def encode_raw(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_position_round_trips() -> None:
    position = Position(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 42)

    cursor = position.encode()

    assert Position.decode(cursor) == position
    assert "=" not in cursor
    assert "42" not in cursor  # opaque to clients, if not secret


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
