"""User schemas. No response ever carries a password or its hash."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from app.pagination import OffsetPage
from app.schemas import Name, PartialUpdate, Schema, no_nul

Password = Annotated[
    str, StringConstraints(min_length=8, max_length=128), AfterValidator(no_nul)
]


# A password already set is checked, never validated again: only bounded.
CurrentPassword = Annotated[
    str, StringConstraints(max_length=128), AfterValidator(no_nul)
]


def normalise_email(email: str) -> str:
    """The one form an email is stored and looked up in.

    Lower case throughout, by Python, which knows Unicode (the database's
    lower() may fold ASCII only), and composed (NFC), so that an "å" typed as
    "a" and a combining ring is the same letter.
    """
    return unicodedata.normalize("NFC", email.strip().lower())


Email = Annotated[
    EmailStr, StringConstraints(max_length=320), AfterValidator(normalise_email)
]


class UserCreate(Schema):
    name: Name
    email: Email
    password: Password


class UserUpdate(PartialUpdate):
    """A password is changed with PasswordChange, never here: a `password`
    field is a 422."""

    name: Name | SkipJsonSchema[None] = None
    email: Email | SkipJsonSchema[None] = None
    # Needed to change your own email: a stolen token alone cannot move the
    # account to another address.
    current_password: CurrentPassword | SkipJsonSchema[None] = None


class PasswordChange(Schema):
    current_password: CurrentPassword
    new_password: Password


class UserPublic(Schema):
    """A user as anyone sees them: in the list, in a profile, as an author."""

    id: int
    name: str


class UserRead(Schema):
    """A user as they themself, and superusers, see them."""

    id: int
    name: str
    email: str
    created_at: datetime


UserPublicPage = OffsetPage[UserPublic]
UserPage = OffsetPage[UserRead]
