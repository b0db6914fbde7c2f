"""Concurrent requests, each over its own connection, committing for real.

They run at the same time (`at_once`), so the database settles what the
app's checks cannot: a unique index decides between two sign-ups, and a row
lock makes the writes to one post wait for each other.
"""
# SQLite writers queue for the write lock (app/driver.py) instead of failing
# with "database is locked".

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.comments.models import Comment
from app.database import Base, SessionLocal, engine
from app.tags.models import Tag
from app.users import service as users
from app.users.models import User
from app.users.schemas import UserCreate
from tests.conftest import PASSWORD, at_once, connections_in_use

N = 10
USERS = "/api/v1/users"
POSTS = "/api/v1/posts"


def status_of(client: TestClient, method: str, url: str, **options: Any) -> int:
    response = client.request(method, url, **options)
    return response.status_code


def sign_up(client: TestClient, email: str) -> partial[int]:
    """A sign-up to send later (with `at_once`), as a call that gives its status."""
    body = {"name": "Racer", "email": email, "password": PASSWORD}
    return partial(status_of, client, "POST", USERS, json=body)


def logged_in(client: TestClient, email: str) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    assert sign_up(client, email)() == 201
    return logged_in(client, email)


def call(client: TestClient, method: str, url: str, **options: Any) -> partial[int]:
    """A request to send later (with `at_once`), as a call that gives its status."""
    return partial(status_of, client, method, url, **options)


def new_post(
    client: TestClient, headers: dict[str, str], tags: list[str] | None = None
) -> str:
    """A new post's URL."""
    body = {"title": "Contested", "body": "Text.", "tags": tags or []}
    response = client.post(POSTS, json=body, headers=headers)
    assert response.status_code == 201
    return f"{POSTS}/{response.json()['id']}"


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


def test_tag_replacements_of_one_post_at_once_leave_one_whole_set(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "author@example.com")
    url = new_post(committed_client, headers, tags=["old", "shared"])
    # Overlapping sets: each replacement keeps some links and drops others.
    sets = [sorted({f"only{i}", "shared", f"pair{i // 2}"}) for i in range(N)]

    statuses = at_once(
        [
            call(committed_client, "PATCH", url, json={"tags": tags}, headers=headers)
            for tags in sets
        ]
    )

    assert statuses == [200] * N
    final = (committed_client.get(url)).json()["tags"]
    assert final in sets


def test_a_delete_racing_an_edit_of_one_post_never_fails(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "author@example.com")
    urls = [new_post(committed_client, headers, tags=["old"]) for _ in range(N)]
    edit = {"title": "Edited", "tags": ["new"]}

    statuses = at_once(
        [
            request
            for url in urls
            for request in (
                call(committed_client, "PATCH", url, json=edit, headers=headers),
                call(committed_client, "DELETE", url, headers=headers),
            )
        ]
    )

    edits, deletes = statuses[::2], statuses[1::2]
    assert set(edits) <= {200, 404}
    assert deletes == [204] * N
    for url in urls:
        assert (committed_client.get(url)).status_code == 404
    # No link is left to a post that is gone.
    assert (committed_client.get("/api/v1/tags")).json() == []


def test_comments_racing_their_posts_delete_leave_none_behind(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "author@example.com")
    url = new_post(committed_client, headers)
    comment = {"body": "Just in time?"}

    statuses = at_once(
        [
            call(committed_client, "DELETE", url, headers=headers),
            *(
                call(
                    committed_client,
                    "POST",
                    f"{url}/comments",
                    json=comment,
                    headers=headers,
                )
                for _ in range(N)
            ),
        ]
    )

    delete, comments = statuses[0], statuses[1:]
    assert delete == 204
    assert set(comments) <= {201, 404}
    assert count_rows(Comment) == 0
    stats = (committed_client.get("/api/v1/stats")).json()
    assert stats["comments"] == 0
    # Every comment that got in went with the post, and comes back with it.
    restored = committed_client.post(f"{url}/restore", headers=headers)
    assert restored.status_code == 200
    assert restored.json()["comment_count"] == comments.count(201)


def test_comments_on_ones_own_post_racing_ones_leaving_leave_none_behind(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "leaving@example.com")
    url = new_post(committed_client, headers)
    me = (committed_client.get(f"{USERS}/me", headers=headers)).json()
    comment = {"body": "One last word."}

    statuses = at_once(
        [
            call(committed_client, "DELETE", f"{USERS}/{me['id']}", headers=headers),
            *(
                call(
                    committed_client,
                    "POST",
                    f"{url}/comments",
                    json=comment,
                    headers=headers,
                )
                for _ in range(N)
            ),
        ]
    )

    # A comment locks its post, then names its author; the delete locks the
    # author, then the post: neither may wait for the other in a circle.
    assert statuses[0] == 204
    assert set(statuses[1:]) <= {201, 401, 404}
    assert count_rows(Comment) == 0


def test_two_deletes_of_one_user_at_once_delete_once(
    committed_client: TestClient,
) -> None:
    headers = signed_in(committed_client, "leaving@example.com")
    url = new_post(committed_client, headers)
    for _ in range(3):
        committed_client.post(f"{url}/comments", json={"body": "Bye."}, headers=headers)
    me = (committed_client.get(f"{USERS}/me", headers=headers)).json()
    leave = call(committed_client, "DELETE", f"{USERS}/{me['id']}", headers=headers)

    statuses = at_once([leave, leave])

    # The second waits for the first, then finds the user gone (or its token dead).
    assert sorted(statuses)[0] == 204
    assert sorted(statuses)[1] in {401, 404}
    assert count_rows(Comment) == 0
    # One stamp on everything: the restore brings all of it back.
    with SessionLocal() as session:
        data = UserCreate(name="Root", email="root@example.com", password=PASSWORD)
        users.create_user(session=session, data=data, is_superuser=True)
    restored = committed_client.post(
        f"{USERS}/{me['id']}/restore",
        headers=logged_in(committed_client, "root@example.com"),
    )
    assert restored.status_code == 200
    assert (committed_client.get(url)).json()["comment_count"] == 3
