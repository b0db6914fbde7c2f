"""Soft delete: rows are stamped, hidden everywhere, and can be restored."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.deletion import INCLUDE_DELETED
from app.users.models import User
from tests.conftest import PASSWORD, headers_for

USERS = "/api/v1/users"


async def test_deleted_user_row_is_kept_with_a_stamp(
    client: AsyncClient, session: AsyncSession, user: User
) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    hidden = await session.scalar(select(User).where(User.id == user.id))
    kept = await session.scalar(
        select(User)
        .where(User.id == user.id)
        .execution_options(**{INCLUDE_DELETED: True})
    )
    assert hidden is None
    assert kept is not None
    assert kept.deleted_at is not None


async def test_superuser_restores_a_user(
    client: AsyncClient, user: User, superuser: User
) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    refused = await client.post(f"{USERS}/{user.id}/restore", headers=headers_for(user))
    restored = await client.post(
        f"{USERS}/{user.id}/restore", headers=headers_for(superuser)
    )

    assert refused.status_code == 401  # a deleted user's token no longer works
    assert restored.status_code == 200
    assert (await client.get(f"{USERS}/{user.id}")).status_code == 200


async def test_a_deleted_users_email_can_be_reused_and_then_restore_is_409(
    client: AsyncClient, user: User, superuser: User
) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    again = await client.post(
        USERS,
        json={"name": "New Ada", "email": "Ada@example.com", "password": PASSWORD},
    )
    restore = await client.post(
        f"{USERS}/{user.id}/restore", headers=headers_for(superuser)
    )

    assert again.status_code == 201
    assert restore.status_code == 409
