"""The database driver this project was generated for, and how its engine connects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4  # only: async

if TYPE_CHECKING:
    from app.config import Settings

DRIVER = "{{ cookiecutter.__driver }}"
DRIVER_EXAMPLE = "{{ cookiecutter.__database_url }}"


# only: async
def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid4()}__"


# end: async
# PgBouncer in transaction mode hands each transaction to whichever server
# connection is free, so nothing may outlive a transaction on the server: a
# statement prepared in one transaction is not there in the next one, and a
# name this connection used may already be taken on the server it gets.
# only: async
# asyncpg keeps no prepared statements between queries (statement_cache_size),
# nor does SQLAlchemy (prepared_statement_cache_size); those it still prepares,
# to learn a result's columns, get unique names.
PGBOUNCER_CONNECT_ARGS: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": _unique_statement_name,
}
# end: async
# only: sync
# psycopg never prepares statements (it would after 5 runs of one).
PGBOUNCER_CONNECT_ARGS: dict[str, Any] = {"prepare_threshold": None}
# end: sync


def engine_options(config: Settings) -> dict[str, Any]:
    """Keyword arguments for the engine, from the settings.

    SQL echo is not among them: SQL_ECHO raises the level of the
    `sqlalchemy.engine` logger instead (app/observability.py), so that echoed
    SQL goes through the app's log format.
    """
    # only: async
    connect_args: dict[str, Any] = {"timeout": config.connect_timeout_seconds}
    # end: async
    # only: sync
    # libpq takes whole seconds, and reads 0 as "wait forever".
    connect_args: dict[str, Any] = {
        "connect_timeout": max(1, round(config.connect_timeout_seconds))
    }
    # end: sync
    if config.database_pooler == "pgbouncer":
        connect_args |= PGBOUNCER_CONNECT_ARGS
    return {
        # A pool as big as the expected concurrency: under steady load no
        # request should have to open a connection (overflow ones are closed
        # when returned). Behind PgBouncer the pool stays: its connections
        # are PgBouncer's cheap client slots, which hold no server connection
        # between transactions, and reusing them saves each request a connect
        # and the driver's set-up queries. PgBouncer's own pool size, not
        # this one, then bounds the server's connections.
        "pool_size": config.pool_size,
        "max_overflow": config.max_overflow,
        "pool_timeout": config.pool_timeout_seconds,
        # A connection that died while pooled (database restarted) is replaced
        # on checkout instead of failing the request that gets it. It costs a
        # round trip per request; without it the first request on each dead
        # connection fails with a 503, and the pool then replaces the others.
        "pool_pre_ping": config.pool_pre_ping,
        # Recycle before a typical server or proxy idle cut-off.
        "pool_recycle": 1800,
        # How long the driver may take to connect before it gives up.
        "connect_args": connect_args,
    }
