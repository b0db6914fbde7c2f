"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app import models  # noqa: F401  (every mapper known before the first request)
from app.api import api_router
from app.config import settings
from app.database import engine
from app.errors import AppError, app_error_handler
from app.health import router as health_router


# unasync: keep
@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    # Close pooled connections cleanly on shutdown.
    # unasync: engine.dispose()
    await engine.dispose()


async def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """A lost or overloaded database is a 503 the client can retry, not a 500."""
    if isinstance(error, DBAPIError) and not (
        error.connection_invalidated or _is_connection_error(error)
    ):
        raise error
    return JSONResponse(
        {"detail": "Database unavailable, try again later"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


def _is_connection_error(error: DBAPIError) -> bool:
    return isinstance(error.orig, OSError | ConnectionError) or type(
        error
    ).__name__ in {"OperationalError", "InterfaceError"}


def create_app() -> FastAPI:
    application = FastAPI(
        title="{{ cookiecutter.project_name }}",
        description="{{ cookiecutter.description }}",
        version="0.1.0",
        lifespan=lifespan,
    )
    if settings.cors_origins:
        application.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    application.add_exception_handler(AppError, app_error_handler)
    application.add_exception_handler(DBAPIError, database_unavailable)
    application.add_exception_handler(PoolTimeoutError, database_unavailable)
    application.include_router(health_router)
    application.include_router(api_router)
    return application


app = create_app()
