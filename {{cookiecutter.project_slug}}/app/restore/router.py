"""`POST .../restore`: undo a soft delete (soft-delete bakes only)."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.dependencies import CurrentUser, Superuser
from app.database import SessionDep
from app.errors import ConflictError
from app.posts import service as posts
from app.posts.exceptions import NotYourPostOrAdminError, PostNotFoundError
from app.posts.models import Post
from app.posts.schemas import PostRead
from app.restore import service
from app.schemas import IdPath, Responses
from app.users.exceptions import UserNotFoundError
from app.users.models import User
from app.users.schemas import UserRead

router = APIRouter(tags=["restore"])

ERRORS: Responses = {
    401: {"description": "Missing or bad token"},
    403: {"description": "Not allowed to restore this"},
    404: {"description": "No such row, deleted or not"},
    409: {"description": "Restoring would break a rule (taken email, deleted author)"},
}


@router.post("/users/{user_id}/restore", responses=ERRORS)
async def restore_user(
    session: SessionDep, _admin: Superuser, user_id: IdPath
) -> UserRead:
    """Bring back a deleted user with the posts and comments deleted with them."""
    user = await service.get_including_deleted(
        session=session, model=User, row_id=user_id
    )
    if user is None:
        raise UserNotFoundError
    return UserRead.model_validate(await service.restore(session=session, row=user))


@router.post("/posts/{post_id}/restore", responses=ERRORS)
async def restore_post(
    session: SessionDep, current: CurrentUser, post_id: IdPath
) -> PostRead:
    """Bring back a deleted post with the comments deleted with it."""
    post = await service.get_including_deleted(
        session=session, model=Post, row_id=post_id
    )
    if post is None:
        raise PostNotFoundError
    if post.author_id != current.id and not current.is_superuser:
        raise NotYourPostOrAdminError
    author = await service.get_including_deleted(
        session=session, model=User, row_id=post.author_id
    )
    if author is None or author.deleted_at is not None:
        raise ConflictError("The post's author is deleted; restore the author instead")
    await service.restore(session=session, row=post)
    restored = await posts.read_post(session=session, post_id=post.id)
    if restored is None:
        raise PostNotFoundError
    return restored
