"""Who is calling: the bearer token turned into a user, or a 401."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.auth.exceptions import NotAuthenticatedError, NotSuperuserError
from app.auth.security import read_access_token
from app.database import SessionDep
from app.users.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_current_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    if token is None:
        raise NotAuthenticatedError
    user_id = read_access_token(token)
    # A deleted user is invisible here, so their tokens stop working at once.
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise NotAuthenticatedError("Invalid or expired token")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_optional_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The caller on a route open to anyone, or None when anonymous. A token
    that is sent must be good: a bad one is a 401, not a quiet anonymous read."""
    if token is None:
        return None
    return await get_current_user(session, token)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_superuser(current: CurrentUser) -> User:
    if not current.is_superuser:
        raise NotSuperuserError
    return current


Superuser = Annotated[User, Depends(get_superuser)]
