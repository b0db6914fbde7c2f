"""Who is calling: the bearer token turned into a user, or a 401."""

from __future__ import annotations

from typing import Annotated, NamedTuple

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.auth import sessions
from app.auth.exceptions import NotAuthenticatedError, NotSuperuserError
from app.auth.security import read_access_token
from app.database import SessionDep
from app.users.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class Caller(NamedTuple):
    """The signed-in user and the sign-in session their token belongs to."""

    user: User
    session_id: str


def get_signed_in(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Caller:
    if token is None:
        raise NotAuthenticatedError
    claims = read_access_token(token)
    # A deleted user, or an ended session (logout, a new password), is not
    # found: their tokens stop working at once.
    user = (
        None
        if claims is None
        else sessions.signed_in_user(session=session, claims=claims)
    )
    if claims is None or user is None:
        raise NotAuthenticatedError("Invalid or expired token")
    return Caller(user, claims.session_id)


SignedIn = Annotated[Caller, Depends(get_signed_in)]


def get_current_user(signed_in: SignedIn) -> User:
    return signed_in.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_optional_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The caller on a route open to anyone, or None when anonymous. A token
    that is sent must be good: a bad one is a 401, not a quiet anonymous read."""
    if token is None:
        return None
    return (get_signed_in(session, token)).user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_superuser(current: CurrentUser) -> User:
    if not current.is_superuser:
        raise NotSuperuserError
    return current


Superuser = Annotated[User, Depends(get_superuser)]
