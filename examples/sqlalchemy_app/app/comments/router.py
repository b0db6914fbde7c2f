"""Comments: under a post to write and list, at `/comments/{id}` to delete."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import CurrentUser
from app.comments import service
from app.comments.dependencies import DeletableComment
from app.comments.models import Comment
from app.comments.schemas import CommentCreate, CommentPage, CommentRead
from app.database import SessionDep
from app.errors import MALFORMED_BODY
from app.pagination import DEFAULT_LIMIT, Cursor, Limit
from app.posts.dependencies import PostOr404, PostToCommentOn
from app.schemas import Responses

router = APIRouter(tags=["comments"])

UNAUTHORIZED: Responses = {401: {"description": "Missing or bad token"}}
NO_POST: Responses = {404: {"description": "No such post"}}


@router.post(
    "/posts/{post_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
    responses=UNAUTHORIZED | NO_POST | MALFORMED_BODY,
)
def create_comment(
    session: SessionDep, author: CurrentUser, post: PostToCommentOn, data: CommentCreate
) -> Comment:
    return service.create_comment(session=session, post=post, author=author, data=data)


@router.get(
    "/posts/{post_id}/comments",
    responses=NO_POST | {400: {"description": "Malformed cursor"}},
)
def list_comments(
    session: SessionDep,
    post: PostOr404,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CommentPage:
    """A post's comments, oldest first; pass `next_cursor` on for the next page."""
    return service.list_comments(session=session, post=post, limit=limit, cursor=cursor)


@router.delete(
    "/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED
    | {
        403: {"description": "Not the comment's or the post's author"},
        404: {"description": "No such comment"},
    },
)
def delete_comment(session: SessionDep, comment: DeletableComment) -> None:
    """Delete a comment (its author, the post's author, or a superuser)."""
    service.delete_comment(session=session, comment=comment)
