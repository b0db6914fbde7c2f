"""Comment errors."""

from __future__ import annotations

from app.errors import ForbiddenError, NotFoundError


class CommentNotFoundError(NotFoundError):
    detail = "Comment not found"


class NotYourCommentError(ForbiddenError):
    detail = "Only the comment's author, the post's author or a superuser may do this"
