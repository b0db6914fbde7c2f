"""Errors that services raise, and how the API reports them.

Services stay free of HTTP: they raise these, and one handler turns each into
FastAPI's usual `{"detail": ...}` body with the status code it carries.
"""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import JSONResponse


class AppError(Exception):
    """Base class of the errors that map to an HTTP response."""

    status_code = status.HTTP_400_BAD_REQUEST
    detail = "Bad request"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail


class NotFoundError(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    detail = "Not found"


class ConflictError(AppError):
    status_code = status.HTTP_409_CONFLICT
    detail = "Conflict"


class ForbiddenError(AppError):
    status_code = status.HTTP_403_FORBIDDEN
    detail = "Not allowed"


class InvalidCursorError(AppError):
    status_code = status.HTTP_400_BAD_REQUEST
    detail = "Invalid cursor"


async def app_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AppError)  # noqa: S101 - registered for AppError only
    return JSONResponse({"detail": error.detail}, status_code=error.status_code)
