"""Who sees what of a user, and who may change an account's email or rank."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.users.models import User
from tests.conftest import PASSWORD, UserFactory, headers_for

USERS = "/api/v1/users"
PUBLIC = {"id", "name"}
PRIVATE = {"id", "name", "email", "created_at"}


def test_anyone_reads_a_user_as_id_and_name_only(
    client: TestClient, user: User, user_factory: UserFactory
) -> None:
    other = user_factory()

    for headers in ({}, headers_for(other)):
        listed = (client.get(USERS, headers=headers)).json()["items"]
        read = client.get(f"{USERS}/{user.id}", headers=headers)

        assert [set(item) for item in listed] == [PUBLIC, PUBLIC]
        assert read.json() == {"id": user.id, "name": user.name}
        assert user.email not in str(listed)


def test_a_user_sees_their_own_email(client: TestClient, user: User) -> None:
    me = client.get(f"{USERS}/me", headers=headers_for(user))
    read = client.get(f"{USERS}/{user.id}", headers=headers_for(user))

    assert set(me.json()) == PRIVATE
    assert read.json()["email"] == user.email


def test_a_superuser_sees_every_email(
    client: TestClient, user: User, superuser: User
) -> None:
    listed = client.get(USERS, headers=headers_for(superuser))
    read = client.get(f"{USERS}/{user.id}", headers=headers_for(superuser))

    assert [item["email"] for item in listed.json()["items"]] == [
        user.email,
        superuser.email,
    ]
    assert set(read.json()) == PRIVATE


def test_search_matches_names_and_only_a_superuser_matches_emails(
    client: TestClient, user_factory: UserFactory, superuser: User
) -> None:
    user_factory(name="Grace", email="grace@corp.example.com")
    user_factory(name="Corporal Hicks", email="hicks@example.com")

    anyone = (client.get(USERS, params={"q": "corp"})).json()
    harvest = (client.get(USERS, params={"q": "@corp.example"})).json()
    admin = (
        client.get(USERS, params={"q": "corp"}, headers=headers_for(superuser))
    ).json()

    assert [u["name"] for u in anyone["items"]] == ["Corporal Hicks"]
    assert harvest["total"] == 0
    assert [u["name"] for u in admin["items"]] == ["Grace", "Corporal Hicks"]


def test_a_bad_token_on_a_public_read_is_401(client: TestClient, user: User) -> None:
    response = client.get(USERS, headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("sent", "detail"),
    [
        ({}, "current_password is required to change your email"),
        ({"current_password": "not my password"}, "The current password is wrong"),
    ],
    ids=["missing", "wrong"],
)
def test_changing_your_own_email_needs_your_current_password(
    client: TestClient, user: User, sent: dict[str, str], detail: str
) -> None:
    refused = client.patch(
        f"{USERS}/{user.id}",
        json={"email": "new@example.com", **sent},
        headers=headers_for(user),
    )
    me = client.get(f"{USERS}/me", headers=headers_for(user))

    assert refused.status_code == 400
    assert refused.json() == {"detail": detail}
    assert me.json()["email"] == "ada@example.com"


def test_your_own_email_changes_with_your_current_password(
    client: TestClient, user: User
) -> None:
    changed = client.patch(
        f"{USERS}/{user.id}",
        json={"email": "new@example.com", "current_password": PASSWORD},
        headers=headers_for(user),
    )

    assert changed.status_code == 200
    assert changed.json()["email"] == "new@example.com"


def test_a_name_changes_without_a_password(client: TestClient, user: User) -> None:
    renamed = client.patch(
        f"{USERS}/{user.id}", json={"name": "Countess"}, headers=headers_for(user)
    )

    assert renamed.status_code == 200


def test_a_superuser_changes_someone_elses_email_without_a_password(
    client: TestClient, user: User, superuser: User
) -> None:
    changed = client.patch(
        f"{USERS}/{user.id}",
        json={"email": "moved@example.com"},
        headers=headers_for(superuser),
    )
    own = client.patch(
        f"{USERS}/{superuser.id}",
        json={"email": "boss@example.com"},
        headers=headers_for(superuser),
    )

    assert changed.status_code == 200
    assert changed.json()["email"] == "moved@example.com"
    assert own.status_code == 400


def test_is_superuser_cannot_be_set_by_sign_up_or_update(
    client: TestClient, session: Session, user: User
) -> None:
    signed_up = client.post(
        USERS,
        json={
            "name": "Mallory",
            "email": "mallory@example.com",
            "password": PASSWORD,
            "is_superuser": True,
        },
    )
    promoted = client.patch(
        f"{USERS}/{user.id}",
        json={"is_superuser": True},
        headers=headers_for(user),
    )

    assert signed_up.status_code == 422
    assert signed_up.json()["detail"][0]["loc"] == ["body", "is_superuser"]
    assert promoted.status_code == 422
    assert promoted.json()["detail"][0]["loc"] == ["body", "is_superuser"]
    assert session.scalar(select(User.is_superuser)) is False
    assert (client.get(USERS)).json()["total"] == 1
