"""Errors, how the API reports them, and how the OpenAPI schema documents them.

Services stay free of HTTP: they raise an `AppError`, and one handler turns
each into FastAPI's usual `{"detail": ...}` body with the status code it
carries. The other handlers turn what the database, the router or the
validation of a request raises into the same body; `add_exception_handlers`
installs them all. `InternalErrorMiddleware` answers for a bug.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.routing import Match

from app.schemas import Responses

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

error_logger = logging.getLogger("app.errors")


class AppError(Exception):
    """Base class of the errors that map to an HTTP response."""

    status_code = status.HTTP_400_BAD_REQUEST
    detail = "Bad request"
    headers: dict[str, str] | None = None

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
    ),
    status.HTTP_413_CONTENT_TOO_LARGE: error_response(
        "The body is larger than the server takes (MAX_BODY_BYTES)"
    ),
}


async def app_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AppError)  # noqa: S101 - registered for AppError only
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=error.headers
    )


async def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """A lost or overloaded database is a 503 the client can retry, not a 500."""
    if isinstance(error, DBAPIError) and not _out_of_reach(error):
        raise error
    return JSONResponse(
        {"detail": "Database unavailable, try again later"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


# SQLite's result codes for a database busy, out of memory or disk, or whose
# file cannot be read. It reports the app's own mistakes ("no such table", a
# syntax error) as an OperationalError too: those are a bug, a 500.
OUT_OF_REACH = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
    }
)


def _out_of_reach(error: DBAPIError) -> bool:
    code = getattr(error.orig, "sqlite_errorcode", None)
    # The low byte is the primary code (SQLITE_IOERR_READ is an SQLITE_IOERR).
    return code is not None and (code & 0xFF) in OUT_OF_REACH


class AsciiJSONResponse(JSONResponse):
    """JSON with everything beyond ASCII escaped, so any text can be sent back.

    A lone surrogate (`"\\ud800"` in JSON) is text to Python but cannot be
    encoded as UTF-8; escaped, it is valid JSON.
    """

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode()


async def validation_failed(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422, less the `input` of each error.

    The input may be a password (too short, misspelt, or deep in a body that is
    not an object): an error body never repeats what was sent.
    """
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
    errors = [
        {key: value for key, value in entry.items() if key != "input"}
        for entry in error.errors()
    ]
    return AsciiJSONResponse(
        {"detail": jsonable_encoder(errors)},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
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


class InternalErrorMiddleware:
    """A bug's exception: logged once, with the request id, and a 500 as JSON.

    It sits inside the request log middleware (app/observability.py), so the
    log record carries the request's id, and the 500 its `X-Request-ID`. The
    exception goes no further: the server would log it a second time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            error_logger.exception(
                "unhandled error in %s %s", scope["method"], scope["path"]
            )
            # Once the response has started, the connection is all there is
            # to close, and returning closes it.
            if not started:
                response = JSONResponse(
                    {"detail": "Internal Server Error"},
                    status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
                )
                await response(scope, receive, send)


def add_exception_handlers(app: FastAPI) -> None:
    """Map every error above, and the database's, to its response."""
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(DBAPIError, database_unavailable)
    app.add_exception_handler(PoolTimeoutError, database_unavailable)
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, method_not_allowed)
