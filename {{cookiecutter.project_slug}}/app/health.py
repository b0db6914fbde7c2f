"""`GET /health`: is the app up, and can it reach its database?"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.database import SessionDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


@router.get(
    "/health",
    responses={
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": Health,
            "description": "The database cannot be reached",
        }
    },
)
async def health(session: SessionDep, response: Response) -> Health:
    """200 when the database answers, 503 when it does not."""
    # The session of any request (it connects on first use), so the answer is
    # what the other routes would get; the failure is caught, not raised.
    try:
        await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", database="unreachable")
    return Health(status="ok", database="ok")
