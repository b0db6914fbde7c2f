# unasync: generated from test_races.py by scripts/unasync.py. Do not edit:
# unasync: edit test_races.py, then run `python scripts/unasync.py`.
"""Concurrent requests, each over its own connection, committing for real.

They run at the same time (`at_once`), so the database settles what the
app's checks cannot: a unique index decides between two sign-ups.
"""
# only: sqlite
# SQLite writers queue for the write lock (app/driver.py) instead of failing
# with "database is locked".
# end: sqlite

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.comments.models import Comment
from app.database import Base, SessionLocal, engine
from app.tags.models import Tag
from app.users.models import User
from tests.conftest import PASSWORD, at_once, connections_in_use

N = 10
USERS = "/api/v1/users"


def status_of(client: TestClient, method: str, url: str, **options: Any) -> int:
    response = client.request(method, url, **options)
    return response.status_code


def sign_up(client: TestClient, email: str) -> partial[int]:
    """A sign-up to send later (with `at_once`), as a call that gives its status."""
    body = {"name": "Racer", "email": email, "password": PASSWORD}
    return partial(status_of, client, "POST", USERS, json=body)


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    assert sign_up(client, email)() == 201
    token = client.post(
        "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def count_rows(model: type[Base]) -> int:
    with SessionLocal() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_one_email_signed_up_at_once_gets_one_201_and_the_rest_409(
    committed_client: TestClient,
) -> None:
    # In two spellings of one address, which the schema stores in one form.
    emails = ["same@example.com", "SAME@Example.COM"] * (N // 2)

    statuses = at_once([sign_up(committed_client, email) for email in emails])

    assert Counter(statuses) == {201: 1, 409: N - 1}
    assert count_rows(User) == 1
    assert connections_in_use(engine) == 0


def test_sign_ups_at_once_all_persist(committed_client: TestClient) -> None:
    statuses = at_once(
        [sign_up(committed_client, f"racer{i}@example.com") for i in range(N)]
    )

    assert statuses == [201] * N
    assert count_rows(User) == N


def test_comments_posted_at_once_all_persist(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "author@example.com")
    post = committed_client.post(
        "/api/v1/posts",
        json={"title": "Busy", "body": "Say something."},
        headers=headers,
    )
    comments = f"/api/v1/posts/{post.json()['id']}/comments"

    statuses = at_once(
        [
            partial(
                status_of,
                committed_client,
                "POST",
                comments,
                json={"body": f"Comment {i}"},
                headers=headers,
            )
            for i in range(N)
        ]
    )

    assert statuses == [201] * N
    assert count_rows(Comment) == N
    listed = committed_client.get(comments, params={"limit": 100})
    assert len(listed.json()["items"]) == N


def test_posts_with_one_new_tag_at_once_share_one_tag(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "author@example.com")

    statuses = at_once(
        [
            partial(
                status_of,
                committed_client,
                "POST",
                "/api/v1/posts",
                json={"title": f"Post {i}", "body": "Text.", "tags": [" Fresh"]},
                headers=headers,
            )
            for i in range(N)
        ]
    )

    assert statuses == [201] * N
    assert count_rows(Tag) == 1
    tags = committed_client.get("/api/v1/tags")
    assert tags.json() == [{"name": "fresh", "post_count": N}]


def test_a_burst_with_failures_returns_every_connection_to_the_pool(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "taken@example.com")
    client = committed_client
    forged = {"Authorization": "Bearer forged"}
    token_form = {"username": "x@example.com"}  # no password
    requests = [
        sign_up(client, "taken@example.com"),  # 409
        sign_up(client, "not-an-email"),  # 422
        partial(status_of, client, "GET", f"{USERS}/999999"),  # 404
        partial(status_of, client, "GET", f"{USERS}/me"),  # 401
        partial(status_of, client, "GET", f"{USERS}/me", headers=forged),  # 401
        partial(status_of, client, "GET", f"{USERS}/me", headers=headers),  # 200
        partial(status_of, client, "POST", "/api/v1/auth/token", data=token_form),
    ]

    statuses = at_once(requests * 3)

    assert sorted(set(statuses)) == [200, 401, 404, 409, 422]
    assert connections_in_use(engine) == 0
