"""Post schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from app.pagination import CursorPage
from app.schemas import PartialUpdate, Schema, no_nul, stripped
from app.tags.schemas import TagName
from app.users.schemas import UserPublic

Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(no_nul),
    AfterValidator(stripped),
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


class PostUpdate(PartialUpdate):
    """`tags`, when sent, replaces the post's tags."""

    title: Title | SkipJsonSchema[None] = None
    body: Body | SkipJsonSchema[None] = None
    tags: TagNames | SkipJsonSchema[None] = None


class PostRead(Schema):
    id: int
    title: str
    body: str
    author: UserPublic
    tags: list[str]
    comment_count: int
    created_at: datetime
    updated_at: datetime


PostPage = CursorPage[PostRead]
