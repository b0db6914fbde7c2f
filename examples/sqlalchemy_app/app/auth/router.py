"""`POST /auth/token`: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, status
from pydantic import AfterValidator

from app.auth import service
from app.auth.exceptions import NotAuthenticatedError
from app.auth.schemas import Token
from app.auth.security import create_access_token
from app.database import (
    ReadsOnly,
    SessionDep,
)
from app.errors import MALFORMED_BODY
from app.schemas import Responses, no_nul

router = APIRouter(prefix="/auth", tags=["auth"])

# The OAuth2 password form (the fields of OAuth2PasswordRequestForm that are
# used), bounded like the sign-up fields: a NUL or a megabyte is a 422, not a
# database error or a long hash.
Username = Annotated[
    str, Form(max_length=320, description="Your email"), AfterValidator(no_nul)
]
Password = Annotated[str, Form(max_length=128), AfterValidator(no_nul)]
WRONG_CREDENTIALS: Responses = {
    status.HTTP_401_UNAUTHORIZED: {"description": "Wrong credentials"}
}


@router.post(
    "/token",
    responses=WRONG_CREDENTIALS | MALFORMED_BODY,
    # Logging in writes nothing: no write lock held while the password is
    # checked, so writers do not queue behind logins.
    dependencies=[ReadsOnly],
)
def login(session: SessionDep, username: Username, password: Password) -> Token:
    """Trade an email (`username`) and password for a bearer token."""
    user = service.authenticate(session=session, email=username, password=password)
    if user is None:
        raise NotAuthenticatedError("Incorrect email or password")
    return Token(access_token=create_access_token(user.id))
