# unasync: generated from test_budget.py by scripts/unasync.py. Do not edit:
# unasync: edit test_budget.py, then run `python scripts/unasync.py`.
"""At start-up each worker logs its share of the server's connections, and
warns when the settings of all the workers cannot fit."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from app.budget import check_connection_budget
from app.config import Settings


def budget_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.budget"]


def test_settings_that_fit_log_one_line_and_no_warning(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    config = Settings(pool_size=5, max_overflow=5, web_concurrency=2, replicas=1)

    check_connection_budget(engine, config)

    [line] = budget_records(caplog)
    assert line.levelno == logging.INFO
    assert "this worker may open 10 connections" in line.getMessage()
    assert "2 workers (WEB_CONCURRENCY) x 1 replicas (REPLICAS) may open 20;" in (
        line.getMessage()
    )


def test_settings_that_cannot_fit_warn_with_what_to_change(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    config = Settings(pool_size=100, max_overflow=100, web_concurrency=4, replicas=3)

    check_connection_budget(engine, config)

    share, warning = budget_records(caplog)
    assert share.levelno == logging.INFO
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().startswith(
        "Connection budget exceeded: the workers may open 2400 connections"
    )
    assert "Lower POOL_SIZE, MAX_OVERFLOW or WEB_CONCURRENCY" in warning.getMessage()


def test_behind_pgbouncer_only_the_share_is_logged(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    config = Settings(
        pool_size=100, max_overflow=100, web_concurrency=4, database_pooler="pgbouncer"
    )

    check_connection_budget(engine, config)

    [line] = budget_records(caplog)
    assert line.levelno == logging.INFO
    assert "PgBouncer's pool size bounds the server's connections" in line.getMessage()
