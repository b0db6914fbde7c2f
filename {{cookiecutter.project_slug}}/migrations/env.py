# unasync: skip
"""Alembic environment: the app's settings, the app's metadata."""

from __future__ import annotations

import asyncio  # only: async
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, make_url, pool
from sqlalchemy.engine import engine_from_config  # only: sync
from sqlalchemy.ext.asyncio import async_engine_from_config  # only: async

from app.config import settings
from app.database import UTCDateTime
from app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get(
    "configure_logger", True
):
    fileConfig(config.config_file_name)

# A URL passed in by the caller (the tests) wins over the app's settings.
url = make_url(config.attributes.get("url") or settings.url)
target_metadata = Base.metadata


def _render_item(
    type_: str, obj: Any, _autogen_context: AutogenContext
) -> str | Literal[False]:
    """Write the app's column types as plain SQLAlchemy types in revisions, so
    that old revisions never break when app code moves."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        # only: sqlite
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
        # end: sqlite
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (`alembic upgrade --sql`)."""
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


# only: async
async def _run_async() -> None:
    engine = async_engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_on)
    await engine.dispose()


# end: async
def run_migrations_online() -> None:
    # A connection passed in by the caller (the tests) is used as it is.
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    # only: async
    asyncio.run(_run_async())
    # end: async
    # only: sync
    engine = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        _run_on(connection)
    engine.dispose()
    # end: sync


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
