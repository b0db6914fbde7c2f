# unasync: generated from test_soft_delete.py by scripts/unasync.py. Do not edit:
# unasync: edit test_soft_delete.py, then run `python scripts/unasync.py`.
"""Soft delete: rows are stamped, hidden everywhere, and can be restored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.deletion import INCLUDE_DELETED
from app.users.models import User
from tests.conftest import PASSWORD, headers_for

USERS = "/api/v1/users"


def test_deleted_user_row_is_kept_with_a_stamp(
    client: TestClient, session: Session, user: User
) -> None:
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    hidden = session.scalar(select(User).where(User.id == user.id))
    kept = session.scalar(
        select(User)
        .where(User.id == user.id)
        .execution_options(**{INCLUDE_DELETED: True})
    )
    assert hidden is None
    assert kept is not None
    assert kept.deleted_at is not None


def test_superuser_restores_a_user(
    client: TestClient, user: User, superuser: User
) -> None:
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    refused = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(user))
    restored = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(superuser))

    assert refused.status_code == 401  # a deleted user's token no longer works
    assert restored.status_code == 200
    assert (client.get(f"{USERS}/{user.id}")).status_code == 200


def test_a_deleted_users_email_can_be_reused_and_then_restore_is_409(
    client: TestClient, user: User, superuser: User
) -> None:
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    again = client.post(
        USERS,
        json={"name": "New Ada", "email": "Ada@example.com", "password": PASSWORD},
    )
    restore = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(superuser))

    assert again.status_code == 201
    assert restore.status_code == 409
