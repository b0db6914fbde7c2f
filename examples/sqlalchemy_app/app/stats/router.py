"""`GET /stats`."""

from __future__ import annotations

from fastapi import APIRouter

from app.database import SessionDep
from app.stats import service
from app.stats.schemas import Stats

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("")
def read_stats(session: SessionDep) -> Stats:
    """Totals and the top authors, computed with SQL aggregates."""
    return service.site_stats(session=session)
