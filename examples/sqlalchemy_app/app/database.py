"""The single database module: engine, session factory, Base, session dependency."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, func
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from starlette.requests import Request

from app import driver
from app.config import Settings, settings
from app.observability import log_slow_queries

# Deterministic constraint names, so that migrations can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(
        self, value: datetime | None, dialect: Any
    ) -> datetime | None:
        # SQLite stores the time as naive text: put the zone back.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def process_bind_param(
        self, value: datetime | None, dialect: Any
    ) -> datetime | None:
        if value is not None and value.tzinfo is None:
            msg = "naive datetime given; use an aware UTC datetime"
            raise ValueError(msg)
        return value.astimezone(UTC) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


class TimestampMixin:
    """`created_at` and `updated_at`, in UTC.

    The application sets them; the server defaults fill them in for rows
    inserted with plain SQL, such as a data migration's.
    """

    created_at: Mapped[datetime] = mapped_column(
        default=utc_now, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        default=utc_now, onupdate=utc_now, server_default=func.now()
    )


def create_engine_from(config: Settings) -> Engine:
    """Build the engine for these settings."""
    engine = create_engine(config.url, **driver.engine_options(config))
    log_slow_queries(engine, config)
    driver.configure_sqlite(engine)
    return engine


engine = create_engine_from(settings)
# The same engine, for transactions that will write: they begin by taking the
# write lock, at their first statement (app/driver.py).
write_engine = engine.execution_options(**driver.WRITE_INTENT)
# Requests with these methods only read.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# expire_on_commit=False: objects stay readable after commit, for the response,
# without a query to reload each one.
SessionLocal = sessionmaker(engine, expire_on_commit=False, autoflush=False)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: always closed, rolled back on error.

    Services commit explicitly, so the response is only sent once the data is
    safe. Nothing is committed here, after the route has returned.

    A request that may write takes the write lock at its first statement, so
    that what it reads cannot change before it writes: writers queue for
    their turn instead of failing. One that only reads (a GET) never takes it.
    """
    writes = request.method not in READ_ONLY_METHODS
    bind = write_engine if writes else engine
    with SessionLocal(bind=bind) as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


# scope="function": the session closes, and its connection goes back to the
# pool, as soon as the route returns, before the response is sent. With the
# default scope it is held until the response has gone out, by which time the
# client's next request may want one too, so a burst of clients overflows the
# pool, opening and closing connections.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
