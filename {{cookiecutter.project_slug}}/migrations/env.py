# unasync: skip
"""Alembic environment: the app's settings, the app's metadata."""

from __future__ import annotations

import asyncio  # only: async
from collections.abc import Iterator  # only: sqlite
from contextlib import contextmanager  # only: sqlite
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.ddl.base import RenameTable  # only: sqlite
from sqlalchemy import Connection, make_url, pool
from sqlalchemy.engine import engine_from_config  # only: sync
from sqlalchemy.event import listen, remove  # only: sqlite
from sqlalchemy.ext.asyncio import async_engine_from_config  # only: async
from sqlalchemy.schema import DropTable  # only: sqlite

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


# only: sqlite
def _expression_indexes(connection: Connection, table: str) -> list[str]:
    """The CREATE INDEX statements of `table`'s indexes on expressions."""
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    )
    quote = connection.dialect.identifier_preparer.quote
    return [
        sql
        for name, sql in rows.all()
        # index_info names no column for an expression.
        if any(
            column is None
            for _, _, column in connection.exec_driver_sql(
                f"PRAGMA index_info({quote(name)})"
            )
        )
    ]


@contextmanager
def _keeping_expression_indexes(connection: Connection) -> Iterator[None]:
    """Keep SQLite's expression indexes through batch mode's table copies.

    Batch mode rebuilds a table from what SQLAlchemy can reflect, and it cannot
    reflect an index on an expression (`uq_users_email_lower` is one): any
    batch operation that copies the table would drop it without a word. So the
    index SQL is read before the old table is dropped, and run again once the
    copy has taken the table's name. (To drop a column such an index uses,
    drop the index first: `op.drop_index(...)` before the batch block.)
    """
    saved: dict[str, list[str]] = {}

    def before(conn: Connection, clause: Any, *_: Any) -> None:
        if isinstance(clause, DropTable):
            saved[clause.element.name] = _expression_indexes(conn, clause.element.name)

    def after(conn: Connection, clause: Any, *_: Any) -> None:
        if (
            isinstance(clause, RenameTable)
            and clause.table_name.startswith("_alembic_tmp_")
            and clause.new_table_name in saved
        ):
            for sql in saved.pop(clause.new_table_name):
                conn.exec_driver_sql(sql)

    listen(connection, "before_execute", before)
    listen(connection, "after_execute", after)
    try:
        yield
    finally:
        remove(connection, "before_execute", before)
        remove(connection, "after_execute", after)


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction(), _keeping_expression_indexes(connection):
        context.run_migrations()


# end: sqlite
# only: postgresql
def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


# end: postgresql
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
