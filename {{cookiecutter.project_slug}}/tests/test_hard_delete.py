"""Hard delete: the row is gone from the table itself."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.users.models import User
from tests.conftest import headers_for

USERS = "/api/v1/users"


async def test_deleted_user_row_is_removed(
    client: AsyncClient, session: AsyncSession, user: User
) -> None:
    response = await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    assert response.status_code == 204
    rows = await session.scalar(
        select(func.count()).select_from(User).where(User.id == user.id)
    )
    assert rows == 0


async def test_there_is_no_restore_route(client: AsyncClient, user: User) -> None:
    response = await client.post(
        f"{USERS}/{user.id}/restore", headers=headers_for(user)
    )

    assert response.status_code in {404, 405}
