"""`/posts`: write with tags, read with author, tags and comment count."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import CurrentUser
from app.database import SessionDep
from app.errors import MALFORMED_BODY
from app.pagination import DEFAULT_LIMIT, Cursor, Limit
from app.posts import service
from app.posts.dependencies import (
    OwnPost,
    OwnPostOrAdmin,
    RestorablePost,  # only: soft
)
from app.posts.exceptions import PostNotFoundError
from app.posts.schemas import PostCreate, PostPage, PostRead, PostUpdate
from app.schemas import IdPath, IdQuery, Responses, SearchQuery
from app.tags.schemas import TagQuery

router = APIRouter(prefix="/posts", tags=["posts"])

UNAUTHORIZED: Responses = {401: {"description": "Missing or bad token"}}
FORBIDDEN: Responses = {403: {"description": "Not allowed for this post"}}
NOT_FOUND: Responses = {404: {"description": "No such post"}}
BAD_CURSOR: Responses = {400: {"description": "Malformed cursor"}}
# only: soft
AUTHOR_DELETED: Responses = {409: {"description": "The author is deleted"}}
# end: soft


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=UNAUTHORIZED | MALFORMED_BODY,
)
async def create_post(
    session: SessionDep, author: CurrentUser, data: PostCreate
) -> PostRead:
    """Write a post; unknown tags are created on first use."""
    return await service.create_post(session=session, author=author, data=data)


@router.get("", responses=BAD_CURSOR)
async def list_posts(
    session: SessionDep,
    q: SearchQuery = None,
    author_id: IdQuery = None,
    tag: TagQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> PostPage:
    """Posts, newest first. `q` searches title and body; pass `next_cursor` on."""
    return await service.list_posts(
        session=session, q=q, author_id=author_id, tag=tag, limit=limit, cursor=cursor
    )


@router.get("/{post_id}", responses=NOT_FOUND)
async def read_post(session: SessionDep, post_id: IdPath) -> PostRead:
    post = await service.read_post(session=session, post_id=post_id)
    if post is None:
        raise PostNotFoundError
    return post


# only: soft
@router.post(
    "/{post_id}/restore",
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | AUTHOR_DELETED,
)
async def restore_post(session: SessionDep, post: RestorablePost) -> PostRead:
    """Bring back a deleted post and the comments deleted with it."""
    return await service.restore_post(session=session, post=post)


# end: soft
@router.patch(
    "/{post_id}",
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | MALFORMED_BODY,
)
async def update_post(session: SessionDep, post: OwnPost, data: PostUpdate) -> PostRead:
    """Edit a post (its author only); `tags` replaces the tags."""
    return await service.update_post(session=session, post=post, data=data)


@router.delete(
    "/{post_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND,
)
async def delete_post(session: SessionDep, post: OwnPostOrAdmin) -> None:
    """Delete a post with its comments (its author, or a superuser)."""
    await service.delete_post(session=session, post=post)
