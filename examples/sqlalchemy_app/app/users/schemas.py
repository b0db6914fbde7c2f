"""User schemas. No response ever carries a password or its hash."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints

from app.pagination import OffsetPage
from app.schemas import Name, Schema, no_nul

Password = Annotated[
    str, StringConstraints(min_length=8, max_length=128), AfterValidator(no_nul)
]
Email = Annotated[EmailStr, StringConstraints(max_length=320)]


class UserCreate(Schema):
    name: Name
    email: Email
    password: Password


class UserUpdate(Schema):
    """A partial update: only the fields sent are changed."""

    name: Name | None = None
    email: Email | None = None
    password: Password | None = None


class UserRead(Schema):
    id: int
    name: str
    email: str
    created_at: datetime


class UserSummary(Schema):
    """A user as shown inside other resources."""

    id: int
    name: str


UserPage = OffsetPage[UserRead]
