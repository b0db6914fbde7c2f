"""Auth errors."""

from __future__ import annotations

from fastapi import HTTPException, status

from app.errors import AppError, ForbiddenError


class NotAuthenticatedError(HTTPException):
    """401 with the header that tells a client to send a bearer token."""

    def __init__(self, detail: str = "Not authenticated") -> None:
        super().__init__(
            status.HTTP_401_UNAUTHORIZED,
            detail=detail,
            headers={"WWW-Authenticate": "Bearer"},
        )


class NotSuperuserError(ForbiddenError):
    detail = "Only a superuser may do this"


class InvalidResetTokenError(AppError):
    detail = "Invalid, used or expired password reset token"
