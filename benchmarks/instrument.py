"""A SQLite bake's app, with its statements counted: `uvicorn instrument:app`.

PostgreSQL counts statements itself (pg_stat_statements); SQLite has no server
to ask. So for SQLite bakes the benchmark serves the bake's own `app.main:app`
through this module, which adds exactly two things:

- a trace callback on each new SQLite connection, which counts every statement
  SQLite runs on it (BEGIN, COMMIT, PRAGMAs included), as the PostgreSQL figure
  does; it is set before the app's own connect listener, so its PRAGMAs count;
- `GET /__bench__/sql`, the running totals of statements and connections. It
  is appended after the app's routes, so their requests never reach it.

A pooled connection is used by one thread at a time, so each connection keeps
its own count and nothing needs a lock.
"""

from __future__ import annotations

from typing import Any

from app.database import engine
from app.main import app
from sqlalchemy import event
from starlette.requests import Request
from starlette.responses import JSONResponse

_counts: list[list[int]] = []


def _trace(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3.Connection (sync), or aiosqlite's wrapper around one (async).
    raw = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    raw = getattr(raw, "_connection", raw)
    count = [0]
    _counts.append(count)

    def counted(_statement: str) -> None:
        count[0] += 1

    raw.set_trace_callback(counted)


event.listen(getattr(engine, "sync_engine", engine), "connect", _trace, insert=True)


async def sql_counts(_request: Request) -> JSONResponse:
    return JSONResponse(
        {"statements": sum(c[0] for c in _counts), "connections": len(_counts)}
    )


app.add_route("/__bench__/sql", sql_counts)
