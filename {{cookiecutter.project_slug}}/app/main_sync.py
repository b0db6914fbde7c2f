# unasync: generated from main.py by scripts/unasync.py. Do not edit:
# unasync: edit main.py, then run `python scripts/unasync.py`.
"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from app import models  # noqa: F401  (every mapper known before the first request)
from app.api import api_router
from app.budget import check_connection_budget  # only: postgresql
from app.config import Settings, settings
from app.database import engine
from app.errors import (
    DATABASE_UNAVAILABLE,
    InternalErrorMiddleware,
    add_exception_handlers,
)
from app.health import router as health_router
from app.limits import BodySizeLimitMiddleware
from app.observability import (
    REQUEST_ID_HEADER,
    RequestLogMiddleware,
    configure_logging,
    silence_server_access_log,
)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    silence_server_access_log()
    check_connection_budget(engine, settings)  # only: postgresql
    yield
    # Close pooled connections cleanly on shutdown.
    engine.dispose()


def create_app(config: Settings = settings) -> FastAPI:
    configure_logging(config)
    # /docs and /redoc serve Swagger UI and ReDoc from the app itself, not a
    # CDN, so they work offline and behind a firewall.
    application = FastAPIOffline(
        title={{cookiecutter.project_name | py_string}},
        description={{cookiecutter.description | py_string}},
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
    application.add_middleware(BodySizeLimitMiddleware, max_bytes=config.max_body_bytes)
    # The last added runs first: the request log sees every answer, a 500 too.
    application.add_middleware(InternalErrorMiddleware)
    application.add_middleware(RequestLogMiddleware)
    add_exception_handlers(application)
    # GET /health documents its own 503; every other route may answer one too.
    application.include_router(health_router)
    application.include_router(api_router, responses=DATABASE_UNAVAILABLE)
    return application


app = create_app()
