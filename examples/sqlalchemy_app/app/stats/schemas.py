"""Stats schemas."""

from __future__ import annotations

from app.schemas import Schema


class AuthorCount(Schema):
    id: int
    name: str
    posts: int


class Stats(Schema):
    users: int
    posts: int
    comments: int
    top_authors: list[AuthorCount]
