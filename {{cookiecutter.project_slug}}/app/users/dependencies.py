"""Existence and permission checks for user routes, written once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentUser
from app.database import SessionDep
from app.schemas import IdPath
from app.users import service
from app.users.exceptions import NotYourAccountError, UserNotFoundError
from app.users.models import User


async def get_user_or_404(session: SessionDep, user_id: IdPath) -> User:
    user = await service.get_user(session=session, user_id=user_id)
    if user is None:
        raise UserNotFoundError
    return user


UserOr404 = Annotated[User, Depends(get_user_or_404)]


# only: soft
async def get_user_including_deleted_or_404(
    session: SessionDep, user_id: IdPath
) -> User:
    user = await service.get_user_including_deleted(session=session, user_id=user_id)
    if user is None:
        raise UserNotFoundError
    return user


AnyUserOr404 = Annotated[User, Depends(get_user_including_deleted_or_404)]


# end: soft
async def get_own_user(user: UserOr404, current: CurrentUser) -> User:
    """The user in the path, if the caller is that user or a superuser."""
    if user.id != current.id and not current.is_superuser:
        raise NotYourAccountError
    return user


OwnUser = Annotated[User, Depends(get_own_user)]
