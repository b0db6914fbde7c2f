# unasync: skip
"""Errors, how the API reports them, and how the OpenAPI schema documents them.

Services stay free of HTTP: they raise an `AppError`, and one handler turns
each into FastAPI's usual `{"detail": ...}` body with the status code it
carries. The other handlers turn what the database, the router or a bug raises
into the same body. `add_exception_handlers` installs them all.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.routing import Match

from app.observability import REQUEST_ID_HEADER
from app.schemas import Responses


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


class ErrorBody(BaseModel):
    """FastAPI's error body, as every error response carries it."""

    detail: str


def error_response(description: str) -> dict[str, Any]:
    """A documented error, whose body is FastAPI's `{"detail": "..."}`."""
    return {
        "description": description,
        "content": {"application/json": {"schema": ErrorBody.model_json_schema()}},
    }


# Any route that reaches the database: on `include_router` in app/main.py.
DATABASE_UNAVAILABLE: Responses = {
    status.HTTP_503_SERVICE_UNAVAILABLE: error_response(
        "The database is unreachable or overloaded; retry later"
    )
}
# Any route that takes a body: merged into the route's own `responses=`.
MALFORMED_BODY: Responses = {
    status.HTTP_400_BAD_REQUEST: error_response(
        "The body cannot be decoded (not UTF-8, or not a form)"
    )
}


async def app_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AppError)  # noqa: S101 - registered for AppError only
    return JSONResponse({"detail": error.detail}, status_code=error.status_code)


async def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """A lost or overloaded database is a 503 the client can retry, not a 500."""
    if isinstance(error, DBAPIError) and not (
        error.connection_invalidated
        or isinstance(error, OperationalError | InterfaceError)
        or isinstance(error.orig, OSError)
    ):
        raise error
    return JSONResponse(
        {"detail": "Database unavailable, try again later"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


async def method_not_allowed(request: Request, _error: Exception) -> JSONResponse:
    """405, with `Allow` naming every method that some route takes on this path.

    Starlette answers with the methods of the first route that matches the
    path only, so `PUT /api/v1/users` would get `Allow: GET` although
    `POST /api/v1/users` exists too: FastAPI makes one route per method, and
    neither has a setting for it. So each method is tried against the router.
    """
    allowed = [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return JSONResponse(
        {"detail": "Method Not Allowed"},
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        headers={"Allow": ", ".join(allowed)},
    )


async def internal_error(request: Request, _error: Exception) -> JSONResponse:
    """The usual 500, as JSON and with the request id to find its log line.

    Starlette still logs the exception and re-raises it after this.
    """
    request_id = getattr(request.state, "request_id", "")
    return JSONResponse(
        {"detail": "Internal Server Error"},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
    )


def add_exception_handlers(app: FastAPI) -> None:
    """Map every error above, and the database's, to its response."""
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(DBAPIError, database_unavailable)
    app.add_exception_handler(PoolTimeoutError, database_unavailable)
    # only: async
    # SQLAlchemy's async adapters do not wrap a failed connect in a DBAPIError
    # (sqlalchemy/sqlalchemy#11956): the driver's bare OSError (refused, timed
    # out) comes through. Nothing else in the app does I/O of its own.
    app.add_exception_handler(OSError, database_unavailable)
    # end: async
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, method_not_allowed)
    app.add_exception_handler(Exception, internal_error)
