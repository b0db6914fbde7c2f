# unasync: generated from test_hard_delete.py by scripts/unasync.py. Do not edit:
# unasync: edit test_hard_delete.py, then run `python scripts/unasync.py`.
"""Hard delete: the row is gone from the table itself."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.users.models import User
from tests.conftest import headers_for

USERS = "/api/v1/users"


def test_deleted_user_row_is_removed(
    client: TestClient, session: Session, user: User
) -> None:
    response = client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    assert response.status_code == 204
    rows = session.scalar(
        select(func.count()).select_from(User).where(User.id == user.id)
    )
    assert rows == 0


def test_there_is_no_restore_route(client: TestClient, user: User) -> None:
    response = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(user))

    assert response.status_code in {404, 405}
