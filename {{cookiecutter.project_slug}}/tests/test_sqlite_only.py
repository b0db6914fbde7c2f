"""SQLite specifics: every pooled connection is tuned as app/driver.py says."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.driver import SQLITE_BUSY_TIMEOUT_SECONDS, SQLITE_CACHE_KIB


async def test_pooled_connections_are_tuned(session: AsyncSession) -> None:
    connection = await session.connection()
    pragmas = {
        name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
        for name in ("foreign_keys", "journal_mode", "busy_timeout", "cache_size")
    }

    assert pragmas == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
        # Negative: a size in KiB rather than in pages.
        "cache_size": -SQLITE_CACHE_KIB,
    }
