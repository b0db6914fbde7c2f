"""/api/v1/users: sign-up, reads, search, offset pagination, update, delete."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PASSWORD, UserFactory, headers_for

USERS = "/api/v1/users"


def test_sign_up_returns_the_user_without_secrets(client: TestClient) -> None:
    response = client.post(
        USERS,
        json={"name": "Grace", "email": "grace@example.com", "password": PASSWORD},
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "email", "created_at"}
    assert body["email"] == "grace@example.com"
    assert PASSWORD not in response.text


def test_sign_up_with_a_taken_email_in_other_case_is_409(
    client: TestClient, user: User
) -> None:
    response = client.post(
        USERS, json={"name": "Copy", "email": "ADA@Example.com", "password": PASSWORD}
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Email already registered"}


@pytest.mark.parametrize(
    "again",
    ["åsa@example.com", "ÅSA@EXAMPLE.COM", "A\u030aSA@example.com"],
    ids=["lower", "upper", "decomposed"],
)
def test_an_email_is_stored_in_lower_case_beyond_ascii(
    client: TestClient, again: str
) -> None:
    first = client.post(
        USERS, json={"name": "Åsa", "email": "ÅSA@Example.com", "password": PASSWORD}
    )
    second = client.post(
        USERS, json={"name": "Åsa", "email": again, "password": PASSWORD}
    )

    assert first.status_code == 201
    assert first.json()["email"] == "åsa@example.com"
    assert second.status_code == 409


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "Short", "email": "s@example.com", "password": "1234567"},
        {"name": "Bad", "email": "not-an-email", "password": PASSWORD},
        {"name": "  ", "email": "blank@example.com", "password": PASSWORD},
        {"name": "Nul\x00", "email": "nul@example.com", "password": PASSWORD},
        {"email": "missing@example.com", "password": PASSWORD},
    ],
    ids=["short-password", "bad-email", "blank-name", "nul-in-name", "no-name"],
)
def test_invalid_sign_up_is_422(client: TestClient, payload: dict[str, str]) -> None:
    response = client.post(USERS, json=payload)

    assert response.status_code == 422


def test_get_user_and_404(client: TestClient, user: User) -> None:
    found = client.get(f"{USERS}/{user.id}")
    missing = client.get(f"{USERS}/{user.id + 1000}")
    out_of_range = client.get(f"{USERS}/{2**40}")

    assert found.status_code == 200
    assert found.json()["name"] == "Ada Lovelace"
    assert missing.status_code == 404
    assert out_of_range.status_code == 422


def test_me_needs_a_token(client: TestClient, user: User) -> None:
    anonymous = client.get(f"{USERS}/me")
    bad = client.get(f"{USERS}/me", headers={"Authorization": "Bearer nope"})
    me = client.get(f"{USERS}/me", headers=headers_for(user))

    assert anonymous.status_code == 401
    assert bad.status_code == 401
    assert me.json()["id"] == user.id


def test_list_searches_and_pages_with_a_total(
    client: TestClient, user_factory: UserFactory
) -> None:
    for name in ("Alan Turing", "Alan Kay", "Barbara Liskov"):
        user_factory(name=name)

    page = client.get(USERS, params={"q": "alan", "limit": 1, "offset": 1})

    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 2
    assert (body["limit"], body["offset"]) == (1, 1)
    assert [u["name"] for u in body["items"]] == ["Alan Kay"]


def test_search_wildcards_match_literally(
    client: TestClient, user_factory: UserFactory
) -> None:
    user_factory(name="100% Real")
    user_factory(name="Plain")
    user_factory(name="under_score")

    percent = (client.get(USERS, params={"q": "%"})).json()
    underscore = (client.get(USERS, params={"q": "_"})).json()

    assert [u["name"] for u in percent["items"]] == ["100% Real"]
    assert [u["name"] for u in underscore["items"]] == ["under_score"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}]
)
def test_bad_paging_values_are_422(
    client: TestClient, params: dict[str, int | str]
) -> None:
    response = client.get(USERS, params=params)

    assert response.status_code == 422


def test_update_is_partial_and_own_only(
    client: TestClient, user: User, user_factory: UserFactory
) -> None:
    other = user_factory()

    renamed = client.patch(
        f"{USERS}/{user.id}", json={"name": "Countess"}, headers=headers_for(user)
    )
    forbidden = client.patch(
        f"{USERS}/{user.id}", json={"name": "Mallory"}, headers=headers_for(other)
    )
    clash = client.patch(
        f"{USERS}/{user.id}",
        json={"email": other.email.upper(), "current_password": PASSWORD},
        headers=headers_for(user),
    )

    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Countess"
    assert renamed.json()["email"] == "ada@example.com"
    assert forbidden.status_code == 403
    assert clash.status_code == 409


def test_superuser_may_update_anyone(
    client: TestClient, user: User, superuser: User
) -> None:
    response = client.patch(
        f"{USERS}/{user.id}", json={"name": "Renamed"}, headers=headers_for(superuser)
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"


def test_delete_removes_the_user_from_reads(
    client: TestClient, user: User, user_factory: UserFactory
) -> None:
    other = user_factory()

    forbidden = client.delete(f"{USERS}/{user.id}", headers=headers_for(other))
    deleted = client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    assert forbidden.status_code == 403
    assert deleted.status_code == 204
    assert (client.get(f"{USERS}/{user.id}")).status_code == 404
    assert (client.get(USERS)).json()["total"] == 1
    # Their token stops working at once.
    assert (client.get(f"{USERS}/me", headers=headers_for(user))).status_code == 401
