"""Tag schemas."""

from __future__ import annotations

from app.schemas import Schema


class TagCount(Schema):
    name: str
    post_count: int
