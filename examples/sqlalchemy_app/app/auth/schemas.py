"""Auth schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from app.schemas import Schema
from app.users.schemas import Email, Password

# Opaque tokens are 43 characters; the bound only keeps out a megabyte.
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Token(BaseModel):
    """What a login or a refresh gives: an access token for `Authorization:
    Bearer`, good for `expires_in` seconds, and a refresh token, good for one
    `POST /auth/refresh`."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - not a secret
    expires_in: int
    refresh_token: str


class RefreshRequest(Schema):
    refresh_token: OpaqueToken


class PasswordResetRequest(Schema):
    email: Email


class PasswordResetConfirm(Schema):
    token: OpaqueToken
    new_password: Password


class Accepted(BaseModel):
    detail: str
