# unasync: generated from router.py by scripts/unasync.py. Do not edit:
# unasync: edit router.py, then run `python scripts/unasync.py`.
"""`POST .../restore`: undo a soft delete (soft-delete bakes only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import Superuser
from app.database import SessionDep
from app.restore import service
from app.schemas import IdPath, Responses
from app.users.exceptions import UserNotFoundError
from app.users.models import User
from app.users.schemas import UserRead

router = APIRouter(tags=["restore"])

ERRORS: Responses = {
    status.HTTP_401_UNAUTHORIZED: {"description": "Missing or bad token"},
    status.HTTP_403_FORBIDDEN: {"description": "Not allowed to restore this"},
    status.HTTP_404_NOT_FOUND: {"description": "No such row, deleted or not"},
    status.HTTP_409_CONFLICT: {"description": "Restoring would break a unique rule"},
}


@router.post("/users/{user_id}/restore", responses=ERRORS)
def restore_user(session: SessionDep, _admin: Superuser, user_id: IdPath) -> UserRead:
    """Bring back a deleted user with the posts and comments deleted with them."""
    user = service.get_including_deleted(session=session, model=User, row_id=user_id)
    if user is None:
        raise UserNotFoundError
    return UserRead.model_validate(service.restore(session=session, row=user))
