"""`GET /tags`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import Row

from app.database import SessionDep
from app.tags import service
from app.tags.schemas import TagCount

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("", response_model=list[TagCount])
async def list_tags(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Sequence[Row[str, int]]:
    """Tags with their number of posts, the most used first."""
    return await service.tag_counts(session=session, limit=limit)
