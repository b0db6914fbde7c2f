"""Post errors."""

from __future__ import annotations

from app.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
)


class PostNotFoundError(NotFoundError):
    detail = "Post not found"


class AuthorDeletedError(ConflictError):
    detail = "The post's author is deleted; restore the author instead"


class NotYourPostError(ForbiddenError):
    detail = "Only the author may do this"


class NotYourPostOrAdminError(ForbiddenError):
    detail = "Only the author or a superuser may do this"
