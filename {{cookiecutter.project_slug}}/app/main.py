"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.routing import Match

from app import models  # noqa: F401  (every mapper known before the first request)
from app.api import api_router
from app.config import Settings, settings
from app.database import engine
from app.errors import AppError, app_error_handler
from app.health import router as health_router
from app.observability import (
    REQUEST_ID_HEADER,
    RequestLogMiddleware,
    configure_logging,
    silence_server_access_log,
)
from app.schemas import Responses


# unasync: keep
@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    silence_server_access_log()
    yield
    # Close pooled connections cleanly on shutdown.
    # unasync: engine.dispose()
    await engine.dispose()


class ErrorBody(BaseModel):
    """FastAPI's error body, as every error response carries it."""

    detail: str


def error_response(description: str) -> dict[str, Any]:
    """A documented error, whose body is FastAPI's `{"detail": "..."}`."""
    schema = ErrorBody.model_json_schema()
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


# Statuses that routes share, added to each operation of the OpenAPI schema
# by Application.openapi, so that it lists all a client may see.
DATABASE_UNAVAILABLE: Responses = {
    status.HTTP_503_SERVICE_UNAVAILABLE: error_response(
        "The database is unreachable or overloaded; retry later"
    )
}
MALFORMED_BODY: Responses = {
    status.HTTP_400_BAD_REQUEST: error_response(
        "The body cannot be decoded (not UTF-8, or not a form)"
    )
}


# The handlers do no I/O: async in every project, they run on the event loop.
# unasync: keep
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


# unasync: keep
async def method_not_allowed(request: Request, _error: Exception) -> JSONResponse:
    """405, with `Allow` naming every method that some route takes on this path.

    Starlette's own 405 names only the methods of the first route that matches
    the path, so `PUT /users` would answer `Allow: POST` although `GET /users`
    exists too. Each method is tried against the router instead.
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


# unasync: keep
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


class Application(FastAPI):
    """FastAPI, whose OpenAPI schema also lists the errors routes share."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            for operations in super().openapi()["paths"].values():
                for operation in operations.values():
                    shared = DATABASE_UNAVAILABLE | (
                        MALFORMED_BODY if "requestBody" in operation else {}
                    )
                    for code, response in shared.items():
                        operation["responses"].setdefault(str(code), response)
        return super().openapi()


def create_app(config: Settings = settings) -> Application:
    configure_logging(config)
    application = Application(
        title="{{ cookiecutter.project_name }}",
        description="{{ cookiecutter.description }}",
        version="0.1.0",
        lifespan=lifespan,
    )
    # CORS is off unless CORS_ORIGINS lists the origins to allow.
    if config.cors_origins:
        application.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID_HEADER],
        )
    application.add_middleware(RequestLogMiddleware)
    application.add_exception_handler(AppError, app_error_handler)
    application.add_exception_handler(DBAPIError, database_unavailable)
    application.add_exception_handler(PoolTimeoutError, database_unavailable)
    # The async drivers raise a failed connect as a bare OSError (refused,
    # timed out), not wrapped in a DBAPIError: sqlalchemy/sqlalchemy#11956.
    # Nothing else in the app does I/O of its own.
    application.add_exception_handler(OSError, database_unavailable)
    application.add_exception_handler(
        status.HTTP_405_METHOD_NOT_ALLOWED, method_not_allowed
    )
    application.add_exception_handler(Exception, internal_error)
    application.include_router(health_router)
    application.include_router(api_router)
    return application


app = create_app()
