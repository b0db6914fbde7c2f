"""Hostile input: text that is not Unicode, explicit nulls, secrets in errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PASSWORD, PostFactory

USERS = "/api/v1/users"
POSTS = "/api/v1/posts"
TOKEN = "/api/v1/auth/token"
# A lone surrogate, as a JSON escape: valid JSON, but no UTF-8 can carry it.
SURROGATE = "\\ud800"
# Bytes that are not UTF-8, percent-escaped in a URL or a form.
NOT_UTF8 = "%ED%A0%80"


MARK = "<surrogate>"


def with_surrogate(payload: dict[str, object]) -> bytes:
    """`payload` as JSON, with a lone surrogate escaped where it says MARK."""
    return json.dumps(payload).replace(MARK, f"x{SURROGATE}").encode()


def send_json(
    client: TestClient,
    method: str,
    url: str,
    content: bytes,
    headers: dict[str, str] | None = None,
) -> int:
    response = client.request(
        method,
        url,
        content=content,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    return response.status_code


SIGN_UP = {"name": "Grace", "email": "grace@example.com", "password": PASSWORD}


@pytest.mark.parametrize("field", ["name", "email", "password"])
def test_a_lone_surrogate_in_a_sign_up_is_422(client: TestClient, field: str) -> None:
    status = send_json(client, "POST", USERS, with_surrogate({**SIGN_UP, field: MARK}))

    assert status == 422


@pytest.mark.parametrize("field", ["name", "email", "password"])
def test_a_lone_surrogate_in_a_user_update_is_422(
    client: TestClient, user: User, auth_headers: dict[str, str], field: str
) -> None:
    content = with_surrogate({field: MARK})

    status = send_json(client, "PATCH", f"{USERS}/{user.id}", content, auth_headers)

    assert status == 422


@pytest.mark.parametrize("field", ["title", "body"])
def test_a_lone_surrogate_in_a_post_is_422(
    client: TestClient,
    auth_headers: dict[str, str],
    post_factory: PostFactory,
    field: str,
) -> None:
    post = post_factory()
    content = with_surrogate({"title": "T", "body": "B", field: MARK})

    created = send_json(client, "POST", POSTS, content, auth_headers)
    updated = send_json(client, "PATCH", f"{POSTS}/{post.id}", content, auth_headers)

    assert (created, updated) == (422, 422)


def test_a_lone_surrogate_in_a_tag_or_a_comment_is_422(
    client: TestClient, auth_headers: dict[str, str], post_factory: PostFactory
) -> None:
    post = post_factory()
    tag = with_surrogate({"title": "T", "body": "B", "tags": [MARK]})
    comment = with_surrogate({"body": MARK})

    tagged = send_json(client, "POST", POSTS, tag, auth_headers)
    commented = send_json(
        client, "POST", f"{POSTS}/{post.id}/comments", comment, auth_headers
    )

    assert (tagged, commented) == (422, 422)


def test_a_lone_surrogate_in_a_field_name_is_422(client: TestClient) -> None:
    content = with_surrogate({**SIGN_UP, MARK: "an unknown field"})

    status = send_json(client, "POST", USERS, content)

    assert status == 422


def test_bytes_that_are_not_utf8_in_a_query_are_text_not_an_error(
    client: TestClient, post_factory: PostFactory
) -> None:
    # The server decodes a query leniently (U+FFFD for what is not UTF-8), so
    # such a search is an ordinary one that finds nothing.
    post_factory(title="Plain")

    users = client.get(f"{USERS}?q={NOT_UTF8}")
    posts = client.get(f"{POSTS}?q={NOT_UTF8}")
    tagged = client.get(f"{POSTS}?tag={NOT_UTF8}")

    assert [r.status_code for r in (users, posts, tagged)] == [200, 200, 200]
    assert users.json()["items"] == []
    assert posts.json()["items"] == tagged.json()["items"] == []


def test_bytes_that_are_not_utf8_in_a_path_are_422(client: TestClient) -> None:
    response = client.get(f"{POSTS}/{NOT_UTF8}")

    assert response.status_code == 422  # not an id


def test_bytes_that_are_not_utf8_in_the_login_form_are_401(
    client: TestClient, user: User
) -> None:
    response = client.post(
        TOKEN,
        content=f"username={NOT_UTF8}&password={NOT_UTF8}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("user", {"name": None}),
        ("user", {"email": None}),
        ("user", {"password": None}),
        ("post", {"title": None}),
        ("post", {"body": None}),
        ("post", {"tags": None}),
    ],
    ids=["user-name", "user-email", "user-password", "title", "body", "tags"],
)
def test_an_explicit_null_for_a_field_that_cannot_be_null_is_422(
    client: TestClient,
    user: User,
    auth_headers: dict[str, str],
    post_factory: PostFactory,
    url: str,
    payload: dict[str, None],
) -> None:
    post = post_factory()
    url = f"{POSTS}/{post.id}" if url == "post" else f"{USERS}/{user.id}"

    response = client.patch(url, json=payload, headers=auth_headers)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", *payload]


@pytest.mark.parametrize(
    ("method", "url", "payload", "secret"),
    [
        ("POST", USERS, {**SIGN_UP, "password": "short-1"}, "short-1"),
        (
            "PUT",
            f"{USERS}/me/password",
            {"current_password": PASSWORD, "new_password": "short-2"},
            "short-2",
        ),
        ("POST", USERS, {**SIGN_UP, "name": 7, "password": "x" * 129}, "x" * 129),
        ("POST", USERS, [{**SIGN_UP, "password": "in-a-list"}], "in-a-list"),
        ("POST", USERS, {**SIGN_UP, "pasword": "misspelt-1"}, "misspelt-1"),
    ],
    ids=["too-short", "change-too-short", "too-long", "not-an-object", "misspelt"],
)
def test_a_422_does_not_echo_a_password(
    client: TestClient,
    user: User,
    auth_headers: dict[str, str],
    method: str,
    url: str,
    payload: object,
    secret: str,
) -> None:
    url = f"{USERS}/{user.id}" if url == "user" else url
    response = client.request(method, url, json=payload, headers=auth_headers)

    assert response.status_code == 422
    assert response.json()["detail"]  # it still says what is wrong, and where
    assert secret not in response.text


def test_a_422_of_the_login_form_does_not_echo_the_password(
    client: TestClient,
) -> None:
    secret = "p" * 129

    response = client.post(
        TOKEN, data={"username": "ada@example.com", "password": secret}
    )

    assert response.status_code == 422
    assert secret not in response.text


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        (USERS, {**SIGN_UP, "name": " " + "n" * 100}),
        (POSTS, {"title": "\r" + "t" * 200, "body": "B"}),
        (POSTS, {"title": "T", "body": "B", "tags": ["g" * 50 + " "]}),
        ("comments", {"body": "c" * 5_000 + "\n"}),
    ],
    ids=["name", "title", "tag", "comment"],
)
def test_text_over_its_documented_length_is_422_even_if_stripping_fits_it(
    client: TestClient,
    auth_headers: dict[str, str],
    post_factory: PostFactory,
    url: str,
    payload: dict[str, object],
) -> None:
    # The schema's maxLength is of the text as sent, not as stored.
    if url == "comments":
        url = f"{POSTS}/{(post_factory()).id}/comments"

    response = client.post(url, json=payload, headers=auth_headers)

    assert response.status_code == 422
