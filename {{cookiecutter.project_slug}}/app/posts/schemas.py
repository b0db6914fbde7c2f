"""Post schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from app.pagination import CursorPage
from app.schemas import Schema, no_nul
from app.tags.schemas import TagName
from app.users.schemas import UserSummary

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(no_nul),
]
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
    AfterValidator(no_nul),
]
TagNames = Annotated[list[TagName], Field(max_length=10)]


class PostCreate(Schema):
    title: Title
    body: Body
    tags: TagNames = Field(default_factory=list)


class PostUpdate(Schema):
    """A partial update; `tags`, when sent, replaces the post's tags."""

    title: Title | None = None
    body: Body | None = None
    tags: TagNames | None = None


class PostRead(Schema):
    id: int
    title: str
    body: str
    author: UserSummary
    tags: list[str]
    comment_count: int
    created_at: datetime
    updated_at: datetime


PostPage = CursorPage[PostRead]
