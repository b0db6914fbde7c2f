# unasync: generated from test_sqlite_only.py by scripts/unasync.py. Do not edit:
# unasync: edit test_sqlite_only.py, then run `python scripts/unasync.py`.
"""SQLite specifics: every pooled connection is tuned as app/driver.py says."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.driver import SQLITE_BUSY_TIMEOUT_SECONDS, SQLITE_CACHE_KIB


def test_pooled_connections_are_tuned(session: Session) -> None:
    connection = session.connection()
    pragmas = {
        name: (connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
        for name in ("foreign_keys", "journal_mode", "busy_timeout", "cache_size")
    }

    assert pragmas == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
        # Negative: a size in KiB rather than in pages.
        "cache_size": -SQLITE_CACHE_KIB,
    }
