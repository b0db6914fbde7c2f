"""Existence and permission checks for user routes, written once.

A write route names the caller first, so that an anonymous request is a 401
before anything is looked up, and loads the user locked
(`get_user(lock=True)`), so that two requests writing to one user take turns.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import (
    CurrentUser,
    Superuser,
)
from app.database import SessionDep
from app.schemas import IdPath
from app.users import service
from app.users.exceptions import NotYourAccountError, UserNotFoundError
from app.users.models import User


def get_user_or_404(session: SessionDep, user_id: IdPath) -> User:
    user = service.get_user(session=session, user_id=user_id)
    if user is None:
        raise UserNotFoundError
    return user


UserOr404 = Annotated[User, Depends(get_user_or_404)]


def get_restorable_user(_: Superuser, session: SessionDep, user_id: IdPath) -> User:
    """The user, deleted or not, for a superuser."""
    user = service.get_user_including_deleted(session=session, user_id=user_id)
    if user is None:
        raise UserNotFoundError
    return user


RestorableUser = Annotated[User, Depends(get_restorable_user)]


def get_own_user(current: CurrentUser, session: SessionDep, user_id: IdPath) -> User:
    """The user in the path, if the caller is that user or a superuser."""
    user = service.get_user(session=session, user_id=user_id, lock=True)
    if user is None:
        raise UserNotFoundError
    if user.id != current.id and not current.is_superuser:
        raise NotYourAccountError
    return user


OwnUser = Annotated[User, Depends(get_own_user)]
