"""Logs: one line per request with its id, JSON on demand, slow SQL.

- `configure_logging` sends the app's logs (and SQLAlchemy's SQL, with
  SQL_ECHO) to stderr as text, or as one JSON object a line (LOG_FORMAT=json).
- `RequestLogMiddleware` gives each request an id (the caller's `X-Request-ID`
  when it is sane, else a new one), sends it back in `X-Request-ID`, and logs
  one line per request: method, path, status and duration. Every log record
  made while the request runs carries the same `request_id`.
- `log_slow_queries` times each statement through engine events and logs
  those slower than SLOW_QUERY_MS, with the SQL but never its parameters.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from time import perf_counter
from typing import IO, TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy import Engine, event
from starlette.datastructures import MutableHeaders

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from app.config import Settings

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from callers are logged verbatim, so only plain tokens are taken: no
# spaces or newlines that could forge a log line, nothing overlong.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
request_id: ContextVar[str] = ContextVar("request_id", default="-")

request_logger = logging.getLogger("app.requests")
sql_logger = logging.getLogger("app.sql")

_HANDLER_NAME = "app"
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# The attributes every LogRecord has; anything else was passed as `extra`.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def configure_logging(config: Settings, stream: IO[str] | None = None) -> None:
    """Route the `app` loggers, and SQLAlchemy's with SQL_ECHO, to one handler.

    Safe to call again: the handler it installed before is replaced.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        JsonFormatter()
        if config.log_format == "json"
        else logging.Formatter(_TEXT_FORMAT)
    )
    for logger, level in (
        (logging.getLogger("app"), config.log_level),
        # INFO makes SQLAlchemy log every statement (what `echo=True` does).
        (
            logging.getLogger("sqlalchemy.engine"),
            "INFO" if config.sql_echo else "WARNING",
        ),
    ):
        logger.handlers = [h for h in logger.handlers if h.name != _HANDLER_NAME]
        logger.addHandler(handler)
        logger.setLevel(level)


def silence_server_access_log() -> None:
    """Drop uvicorn's access line: the request line replaces it, with the
    request id and the duration. Call it once the server has configured its
    logging (at start-up), or the server turns it back on."""
    logging.getLogger("uvicorn.access").disabled = True


class RequestLogMiddleware:
    """Tag each request with an id, echo it back, and log one line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode())
        given = incoming.decode("latin-1") if incoming else ""
        current = given if _SANE_REQUEST_ID.fullmatch(given) else uuid4().hex
        token = request_id.set(current)
        status = 500  # unless a response starts
        started = perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((perf_counter() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status,
                duration_ms,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id.reset(token)


def log_slow_queries(engine: Engine, config: Settings) -> None:
    """Log statements slower than `config.slow_query_ms` (read at each query).

    Only the SQL text is logged: its parameters can hold personal data.
    """

    # Statements on one connection run one after another: one slot is enough.
    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, *_args: Any) -> None:
        conn.info["query_started"] = perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _finish(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        started = conn.info.pop("query_started", None)
        duration_ms = (perf_counter() - started) * 1000 if started else 0.0
        if duration_ms > config.slow_query_ms:
            sql = " ".join(statement.split())
            sql_logger.warning(
                "slow query (%.1fms): %s",
                duration_ms,
                sql,
                extra={"duration_ms": round(duration_ms, 1), "statement": sql},
            )
