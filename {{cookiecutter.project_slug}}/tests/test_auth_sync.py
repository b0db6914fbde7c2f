# unasync: generated from test_auth.py by scripts/unasync.py. Do not edit:
# unasync: edit test_auth.py, then run `python scripts/unasync.py`.
"""POST /api/v1/auth/token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


def test_login_gives_a_working_bearer_token(client: TestClient, user: User) -> None:
    response = client.post(
        TOKEN, data={"username": "ADA@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    me = client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.json()["id"] == user.id


@pytest.mark.parametrize(
    "given", ["åsa@example.com", "ÅSA@EXAMPLE.COM", " Åsa@example.com "]
)
def test_login_ignores_the_case_of_the_email_beyond_ascii(
    client: TestClient, given: str
) -> None:
    signed_up = client.post(
        "/api/v1/users",
        json={"name": "Åsa", "email": "ÅSA@example.com", "password": PASSWORD},
    )

    response = client.post(TOKEN, data={"username": given, "password": PASSWORD})

    assert signed_up.status_code == 201
    assert response.status_code == 200


def test_wrong_password_and_unknown_email_are_401(
    client: TestClient, user: User
) -> None:
    wrong = client.post(
        TOKEN, data={"username": user.email, "password": "wrong-password"}
    )
    unknown = client.post(
        TOKEN, data={"username": "nobody@example.com", "password": PASSWORD}
    )

    assert wrong.status_code == 401
    assert unknown.status_code == 401
