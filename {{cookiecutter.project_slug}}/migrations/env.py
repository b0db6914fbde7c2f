# unasync: skip
"""Alembic environment: the app's settings, the app's metadata."""

from __future__ import annotations

import asyncio  # only: async
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Engine, event, make_url, pool  # only: sqlite
from sqlalchemy import Connection, make_url, pool  # only: postgresql
from sqlalchemy.engine import engine_from_config  # only: sync
from sqlalchemy.ext.asyncio import async_engine_from_config  # only: async

from app.config import settings
from app.database import UTCDateTime
from app.driver import SQLITE_BUSY_TIMEOUT_SECONDS  # only: sqlite
from app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get(
    "configure_logger", True
):
    fileConfig(config.config_file_name)

# A URL passed in by the caller (the tests) wins over the app's settings.
url = make_url(config.attributes.get("url") or settings.url)  # only: sqlite
# only: postgresql
# Migrations connect to the server itself (MIGRATIONS_DATABASE_URL, when
# DATABASE_URL names a pooler): a migration's long transaction would hold one
# of the pooler's few server connections, and what must run outside a
# transaction (CREATE INDEX CONCURRENTLY) needs a connection of its own.
url = make_url(config.attributes.get("url") or settings.migrations_url)
# end: postgresql
target_metadata = Base.metadata
# only: postgresql
# Replicas that start together all run the migrations. Each takes this lock
# first, inside the migration's transaction, so that they migrate one after
# another: the next one finds the schema at head and has nothing to do. A
# transaction-level lock is released by the commit (or by a crash) and holds
# nothing beyond the transaction.
MIGRATION_LOCK_ID = 0x616C656D6269  # any number the app uses for nothing else
# end: postgresql


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
        # SQLite can roll DDL back: the whole upgrade is one transaction, which
        # takes the write lock first (see _serialize_migrations).
        transactional_ddl=True,
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
        # only: postgresql
        # Waits while another process migrates; it reads the schema's
        # version only after that one has committed.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        # end: postgresql
        context.run_migrations()


# only: sqlite
def _serialize_migrations(engine: Engine) -> None:
    """Make each upgrade one transaction that holds the write lock throughout.

    Processes that start together then migrate one after another, and the next
    one reads the schema's version only after the one before has committed.
    Python's sqlite3 would run each CREATE outside any transaction: its own
    transaction handling is switched off, and BEGIN IMMEDIATE waits (up to the
    busy timeout) for the write lock instead of failing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# end: sqlite
# only: async
async def _run_async() -> None:
    engine = async_engine_from_config(
        {"sqlalchemy.url": url},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},  # only: sqlite
    )
    _serialize_migrations(engine.sync_engine)  # only: sqlite
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
        {"sqlalchemy.url": url},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},  # only: sqlite
    )
    _serialize_migrations(engine)  # only: sqlite
    with engine.connect() as connection:
        _run_on(connection)
    engine.dispose()
    # end: sync


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
