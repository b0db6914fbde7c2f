"""Comment schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.pagination import CursorPage
from app.schemas import Schema, no_nul, stripped
from app.users.schemas import UserPublic

CommentBody = Annotated[
    str,
    StringConstraints(min_length=1, max_length=5_000),
    AfterValidator(no_nul),
    AfterValidator(stripped),
]


class CommentCreate(Schema):
    body: CommentBody


class CommentRead(Schema):
    id: int
    body: str
    author: UserPublic
    post_id: int
    created_at: datetime


CommentPage = CursorPage[CommentRead]
