"""`/users`: sign-up, profiles, search (offset pagination)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import CurrentUser
from app.database import SessionDep
from app.pagination import DEFAULT_LIMIT, Limit, Offset
from app.schemas import Responses, SearchQuery
from app.users import service
from app.users.dependencies import OwnUser, UserOr404
from app.users.schemas import UserCreate, UserPage, UserRead, UserUpdate

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


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create_user(session: SessionDep, data: UserCreate) -> UserRead:
    """Sign up."""
    user = service.create_user(session=session, data=data)
    return UserRead.model_validate(user)


@router.get("")
def list_users(
    session: SessionDep,
    q: SearchQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> UserPage:
    """Users, oldest first; `q` searches name and email."""
    users, total = service.list_users(session=session, q=q, limit=limit, offset=offset)
    return UserPage(
        items=[UserRead.model_validate(u) for u in users],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/me", responses=UNAUTHORIZED)
def read_me(current: CurrentUser) -> UserRead:
    """The caller's own profile."""
    return UserRead.model_validate(current)


@router.get("/{user_id:int}", responses=NOT_FOUND)
def read_user(user: UserOr404) -> UserRead:
    return UserRead.model_validate(user)


@router.patch(
    "/{user_id:int}", responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | CONFLICT
)
def update_user(session: SessionDep, user: OwnUser, data: UserUpdate) -> UserRead:
    """Change some of a user's fields (the user themself, or a superuser)."""
    updated = service.update_user(session=session, user=user, data=data)
    return UserRead.model_validate(updated)


@router.delete(
    "/{user_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND,
)
def delete_user(session: SessionDep, user: OwnUser) -> None:
    """Delete a user with their posts and comments."""
    service.delete_user(session=session, user=user)
