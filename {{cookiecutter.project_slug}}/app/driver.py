"""What this project was generated for: its database driver and how to tune it.

No I/O here: the sync and async database modules share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DRIVER = "{{ cookiecutter.__driver }}"
DRIVER_EXAMPLE = "{{ cookiecutter.__database_url }}"
# How long a SQLite writer waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Page cache of each SQLite connection. Every pooled connection keeps its own
# copy of the pages it read, on top of the OS page cache that all of them
# share; at SQLite's default of 2 MiB a pool of 20 holds up to 40 MiB of
# duplicates (measured: 116 MiB peak RSS under load, 95 MiB with 512 KiB, the
# same requests per second).
SQLITE_CACHE_KIB = 512
# Execution options of a transaction that will write (see get_session). SQLite
# then begins with BEGIN IMMEDIATE; PostgreSQL needs nothing and ignores them.
WRITE_INTENT = {"sqlite_begin": "IMMEDIATE"}


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def engine_options(
    url: URL,
    *,
    pool_size: int,
    max_overflow: int,
    pool_timeout: float,
    pre_ping: bool,
    connect_timeout: float,
) -> dict[str, Any]:
    """Keyword arguments for `create_engine` / `create_async_engine`.

    SQL echo is not among them: SQL_ECHO raises the level of the
    `sqlalchemy.engine` logger instead (app/observability.py), so that echoed
    SQL goes through the app's log format.
    """
    # A pool as big as the expected concurrency: under steady load no request
    # should have to open a connection (overflow ones are closed when returned).
    options: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_timeout": pool_timeout,
    }
    if is_sqlite(url):
        # FastAPI may run a request's session in more than one thread. A file
        # cannot go away like a server, so no pre-ping round trip either.
        options["connect_args"] = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        }
        if not url.database or url.database == ":memory:":
            return {"connect_args": options["connect_args"]}  # a single-connection pool
        return options
    options |= {
        # A connection that died while pooled (database restarted) is replaced
        # on checkout instead of failing the request that gets it. It costs a
        # round trip per request (three on asyncpg); without it the first
        # request on each dead connection fails with a 503, and the pool then
        # replaces the others.
        "pool_pre_ping": pre_ping,
        # Recycle before a typical server or proxy idle cut-off.
        "pool_recycle": 1800,
    }
    if url.get_driver_name() == "asyncpg":
        options["connect_args"] = {"timeout": connect_timeout}
    else:
        options["connect_args"] = {"connect_timeout": max(1, round(connect_timeout))}
    return options


def configure_sqlite(engine: Engine) -> None:
    """Switch on what SQLite leaves off, on every new connection.

    - foreign keys (and so ON DELETE CASCADE) are off by default;
    - a small page cache per connection (SQLITE_CACHE_KIB);
    - WAL lets readers work while one writer writes, and the busy timeout makes
      writers wait their turn instead of failing with "database is locked";
    - the driver's own transaction handling is replaced by our own BEGIN, so
      that SAVEPOINT works (SQLAlchemy's documented pysqlite workaround);
    - a transaction opened with WRITE_INTENT begins IMMEDIATE: it takes the
      write lock first, waiting for it under the busy timeout. A deferred
      transaction that reads, then writes, cannot wait: if another writer
      committed since its read, SQLite fails it at once with "database is
      locked" (measured: 18 of 20 concurrent sign-ups failed that way).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if not _is_memory(engine):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = (
            connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_memory(engine: Engine) -> bool:
    database = engine.url.database
    return not database or database == ":memory:"
