"""The database driver this project was generated for, and how its engine connects.

SQLite leaves off some of what a web app needs: `configure_sqlite` switches it
on for every new connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event

if TYPE_CHECKING:
    from app.config import Settings

DRIVER = "{{ cookiecutter.__driver }}"
DRIVER_EXAMPLE = "{{ cookiecutter.__database_url }}"
# How long a SQLite writer waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Page cache of each SQLite connection. Every pooled connection keeps its own
# copy of the pages it read, on top of the OS page cache that all of them
# share: at SQLite's default of 2 MiB, a pool of 20 holds up to 40 MiB of
# duplicates.
SQLITE_CACHE_KIB = 512
# Execution options of a transaction that will write (see get_session): it
# begins with BEGIN IMMEDIATE (see configure_sqlite).
WRITE_INTENT = {"sqlite_begin": "IMMEDIATE"}


def engine_options(config: Settings) -> dict[str, Any]:
    """Keyword arguments for the engine, from the settings.

    SQL echo is not among them: SQL_ECHO raises the level of the
    `sqlalchemy.engine` logger instead (app/observability.py), so that echoed
    SQL goes through the app's log format.
    """
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    # only: sync
    # FastAPI runs a request's dependencies and route in worker threads, not
    # always the same one, so the session's connection moves between threads.
    connect_args["check_same_thread"] = False
    # end: sync
    if _is_memory(config.url.database):
        return {"connect_args": connect_args}  # a single-connection pool
    return {
        # A pool as big as the expected concurrency: under steady load no
        # request should have to open a connection (overflow ones are closed
        # when returned).
        "pool_size": config.pool_size,
        "max_overflow": config.max_overflow,
        "pool_timeout": config.pool_timeout_seconds,
        "connect_args": connect_args,
    }


def configure_sqlite(engine: Engine) -> None:
    """Switch on what SQLite leaves off, on every new connection.

    - foreign keys (and so ON DELETE CASCADE) are off by default;
    - a small page cache per connection (SQLITE_CACHE_KIB);
    - WAL lets readers work while one writer writes, and the busy timeout makes
      writers wait their turn instead of failing with "database is locked";
    - the driver's own transaction handling is replaced by our own BEGIN, so
      that SAVEPOINT works (SQLAlchemy's documented workaround);
    - a transaction opened with WRITE_INTENT begins IMMEDIATE: it takes the
      write lock first, waiting for it under the busy timeout. A deferred
      transaction that reads, then writes, cannot wait: if another writer
      committed since its read, SQLite fails it at once with "database is
      locked", and concurrent sign-ups would fail that way.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if not _is_memory(engine.url.database):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = (
            connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_memory(database: str | None) -> bool:
    return not database or database == ":memory:"
