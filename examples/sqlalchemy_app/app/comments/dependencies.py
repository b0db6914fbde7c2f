"""Existence and permission checks for comment routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentUser
from app.comments import service
from app.comments.exceptions import CommentNotFoundError, NotYourCommentError
from app.comments.models import Comment
from app.database import SessionDep
from app.schemas import IdPath


def get_deletable_comment(
    session: SessionDep, comment_id: IdPath, current: CurrentUser
) -> Comment:
    """The comment, if the caller wrote it, wrote its post, or is a superuser."""
    comment = service.get_comment_to_delete(session=session, comment_id=comment_id)
    if comment is None:
        raise CommentNotFoundError
    if current.id not in {comment.author_id, comment.post.author_id} and not (
        current.is_superuser
    ):
        raise NotYourCommentError
    return comment


DeletableComment = Annotated[Comment, Depends(get_deletable_comment)]
