"""Alembic environment: the app's settings, the app's metadata."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Engine, event, make_url, pool
from sqlalchemy.engine import engine_from_config

from app.config import settings
from app.database import UTCDateTime
from app.driver import SQLITE_BUSY_TIMEOUT_SECONDS
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
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
        # SQLite can roll DDL back: the whole upgrade is one transaction, which
        # takes the write lock first (see _serialize_migrations).
        transactional_ddl=True,
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


def run_migrations_online() -> None:
    # A connection passed in by the caller (the tests) is used as it is.
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = engine_from_config(
        {"sqlalchemy.url": url},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    )
    _serialize_migrations(engine)
    with engine.connect() as connection:
        _run_on(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
