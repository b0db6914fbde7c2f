"""The database driver this project was generated for, and how its engine connects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.config import Settings

DRIVER = "{{ cookiecutter.__driver }}"
DRIVER_EXAMPLE = "{{ cookiecutter.__database_url }}"


def engine_options(config: Settings) -> dict[str, Any]:
    """Keyword arguments for the engine, from the settings.

    SQL echo is not among them: SQL_ECHO raises the level of the
    `sqlalchemy.engine` logger instead (app/observability.py), so that echoed
    SQL goes through the app's log format.
    """
    # only: async
    connect_args = {"timeout": config.connect_timeout_seconds}
    # end: async
    # only: sync
    # libpq takes whole seconds, and reads 0 as "wait forever".
    connect_args = {"connect_timeout": max(1, round(config.connect_timeout_seconds))}
    # end: sync
    return {
        # A pool as big as the expected concurrency: under steady load no
        # request should have to open a connection (overflow ones are closed
        # when returned).
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
