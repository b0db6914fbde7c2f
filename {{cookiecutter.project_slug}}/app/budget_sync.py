# unasync: generated from budget.py by scripts/unasync.py. Do not edit:
# unasync: edit budget.py, then run `python scripts/unasync.py`.
"""The connection budget: do all the pools fit under the server's limit?

Every worker process has its own pool, and every replica its own workers, so
the server may be asked for up to

    WEB_CONCURRENCY x REPLICAS x (POOL_SIZE + MAX_OVERFLOW)

connections, which must stay under its `max_connections` minus the
connections it reserves for superusers. Past that, a burst gets "too many
connections" errors from the server instead of waiting in a pool.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.config import Settings

logger = logging.getLogger("app.budget")
SERVER_LIMIT = text(
    "SELECT current_setting('max_connections')::int,"
    " (SELECT coalesce(sum(setting::int), 0) FROM pg_settings"
    "  WHERE name IN ('superuser_reserved_connections', 'reserved_connections'))"
)


@dataclass(frozen=True)
class Budget:
    """The connections the settings may open, against what the server allows."""

    per_worker: int
    workers: int
    replicas: int
    max_connections: int
    reserved: int

    @property
    def wanted(self) -> int:
        return self.per_worker * self.workers * self.replicas

    @property
    def available(self) -> int:
        return self.max_connections - self.reserved

    @property
    def fits(self) -> bool:
        return self.wanted <= self.available


def check_connection_budget(engine: Engine, config: Settings) -> None:
    """Log this worker's share of the server's connections; warn if they cannot fit.

    Run by each worker at start-up. Behind PgBouncer the pools hold client
    slots of PgBouncer, whose own pool size bounds the server's connections.
    """
    per_worker = config.pool_size + config.max_overflow
    if config.database_pooler == "pgbouncer":
        logger.info(
            "Connection budget: this worker opens up to %d connections to "
            "PgBouncer (POOL_SIZE %d + MAX_OVERFLOW %d); PgBouncer's pool size "
            "bounds the server's connections",
            per_worker,
            config.pool_size,
            config.max_overflow,
        )
        return
    try:
        with engine.connect() as connection:
            row = (connection.execute(SERVER_LIMIT)).one()
    except SQLAlchemyError:
        logger.warning("Connection budget not checked: the database is unreachable")
        return
    budget = Budget(
        per_worker=per_worker,
        workers=config.web_concurrency,
        replicas=config.replicas,
        max_connections=row[0],
        reserved=row[1],
    )
    logger.info(
        "Connection budget: this worker may open %d connections (POOL_SIZE %d + "
        "MAX_OVERFLOW %d); %d workers (WEB_CONCURRENCY) x %d replicas (REPLICAS) "
        "may open %d; the server allows %d (max_connections %d - %d reserved)",
        budget.per_worker,
        config.pool_size,
        config.max_overflow,
        budget.workers,
        budget.replicas,
        budget.wanted,
        budget.available,
        budget.max_connections,
        budget.reserved,
    )
    if not budget.fits:
        logger.warning(
            "Connection budget exceeded: the workers may open %d connections but "
            "the server allows %d. Under load some will fail with 'too many "
            "connections'. Lower POOL_SIZE, MAX_OVERFLOW or WEB_CONCURRENCY, raise "
            "max_connections, or put PgBouncer in front (DATABASE_POOLER=pgbouncer)",
            budget.wanted,
            budget.available,
        )
