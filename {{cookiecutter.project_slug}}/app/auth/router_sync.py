# unasync: generated from router.py by scripts/unasync.py. Do not edit:
# unasync: edit router.py, then run `python scripts/unasync.py`.
"""`POST /auth/token`: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.exceptions import NotAuthenticatedError
from app.auth.schemas import Token
from app.auth.security import create_access_token
from app.database import SessionDep

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    responses={status.HTTP_401_UNAUTHORIZED: {"description": "Wrong credentials"}},
)
def login(
    session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> Token:
    """Trade an email (`username`) and password for a bearer token."""
    user = service.authenticate(
        session=session, email=form.username, password=form.password
    )
    if user is None:
        raise NotAuthenticatedError("Incorrect email or password")
    return Token(access_token=create_access_token(user.id))
