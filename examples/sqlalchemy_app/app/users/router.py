"""`/users`: sign-up, profiles, search (offset pagination)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import CurrentUser, OptionalUser
from app.database import SessionDep
from app.errors import MALFORMED_BODY, error_response
from app.pagination import DEFAULT_LIMIT, Limit, Offset
from app.schemas import Responses, SearchQuery
from app.users import service
from app.users.dependencies import (
    OwnUser,
    RestorableUser,
    UserOr404,
)
from app.users.models import User
from app.users.schemas import (
    PasswordChange,
    UserCreate,
    UserPage,
    UserPublic,
    UserPublicPage,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"])

UNAUTHORIZED: Responses = {
    status.HTTP_401_UNAUTHORIZED: {"description": "Missing or bad token"}
}
FORBIDDEN: Responses = {
    status.HTTP_403_FORBIDDEN: {"description": "Not this user, nor a superuser"}
}
NOT_FOUND: Responses = {status.HTTP_404_NOT_FOUND: {"description": "No such user"}}
CONFLICT: Responses = {
    status.HTTP_409_CONFLICT: {"description": "Email already registered"}
}
# Merged after MALFORMED_BODY, whose 400 it extends.
BAD_CURRENT_PASSWORD: Responses = {
    status.HTTP_400_BAD_REQUEST: error_response(
        "Changing your own email without your current_password, or with a wrong"
        " one; or a body that cannot be decoded"
    )
}


def shown_to(viewer: User | None, user: User) -> UserRead | UserPublic:
    """The user as the viewer may see them: with their email for the user
    themself and for superusers, as id and name for anyone else."""
    if viewer is not None and (viewer.id == user.id or viewer.is_superuser):
        return UserRead.model_validate(user)
    return UserPublic.model_validate(user)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=CONFLICT | MALFORMED_BODY,
)
def create_user(session: SessionDep, data: UserCreate) -> User:
    """Sign up."""
    return service.create_user(session=session, data=data)


@router.get("", responses=UNAUTHORIZED)
def list_users(
    session: SessionDep,
    viewer: OptionalUser,
    q: SearchQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> UserPublicPage | UserPage:
    """Users, oldest first, as id and name; `q` searches names.

    A superuser sees emails too, and their `q` searches emails as well.
    """
    return service.list_users(
        session=session,
        q=q,
        limit=limit,
        offset=offset,
        for_superuser=viewer is not None and viewer.is_superuser,
    )


@router.get("/me", response_model=UserRead, responses=UNAUTHORIZED)
def read_me(current: CurrentUser) -> User:
    """The caller's own profile."""
    return current


@router.put(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED
    | NOT_FOUND
    | MALFORMED_BODY
    | {
        status.HTTP_400_BAD_REQUEST: error_response(
            "Wrong current password, or the body cannot be decoded"
        )
    },
)
def change_password(
    session: SessionDep, current: CurrentUser, data: PasswordChange
) -> None:
    """Change your password. Every token issued before stops working, this
    one too: sign in again with the new password."""
    service.change_password(session=session, user=current, data=data)


@router.get("/{user_id:int}", responses=UNAUTHORIZED | NOT_FOUND)
def read_user(viewer: OptionalUser, user: UserOr404) -> UserRead | UserPublic:
    """A profile: id and name, and the email for the user themself or a superuser."""
    return shown_to(viewer, user)


@router.patch(
    "/{user_id:int}",
    response_model=UserRead,
    responses=UNAUTHORIZED
    | FORBIDDEN
    | NOT_FOUND
    | CONFLICT
    | MALFORMED_BODY
    | BAD_CURRENT_PASSWORD,
)
def update_user(
    session: SessionDep, current: CurrentUser, user: OwnUser, data: UserUpdate
) -> User:
    """Change some of a user's fields (the user themself, or a superuser).

    Changing your own email takes your `current_password` as well.
    """
    return service.update_user(session=session, user=user, data=data, caller=current)


@router.post(
    "/{user_id:int}/restore",
    response_model=UserRead,
    responses={
        status.HTTP_401_UNAUTHORIZED: {"description": "Missing or bad token"},
        status.HTTP_403_FORBIDDEN: {"description": "Not a superuser"},
        status.HTTP_404_NOT_FOUND: {"description": "No such user, deleted or not"},
        status.HTTP_409_CONFLICT: {"description": "Email taken by another user"},
    },
)
def restore_user(session: SessionDep, user: RestorableUser) -> User:
    """Bring back a deleted user with the posts and comments deleted with them."""
    return service.restore_user(session=session, user=user)


@router.delete(
    "/{user_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND,
)
def delete_user(session: SessionDep, user: OwnUser) -> None:
    """Delete a user with their posts and comments."""
    service.delete_user(session=session, user=user)
