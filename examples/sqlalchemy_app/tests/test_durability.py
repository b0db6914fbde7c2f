"""A success is only sent once the data is committed.

A trigger makes every new row in a table also write a row that breaks a
DEFERRED foreign key: the INSERTs go through, and the COMMIT itself fails, as
it would on a deferred constraint, a full disk or a lost connection. The
request must then fail too, and leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.comments.models import Comment
from app.database import Base, SessionLocal
from app.observability import REQUEST_ID_HEADER
from app.posts.models import Post
from app.tags.models import Tag
from app.users.models import User
from tests.conftest import PASSWORD

GUARD = [
    "CREATE TABLE IF NOT EXISTS commit_guard_parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS commit_guard (parent_id INTEGER"
    " REFERENCES commit_guard_parent (id) DEFERRABLE INITIALLY DEFERRED)",
]
TRIGGER = [
    "CREATE TRIGGER commit_guard_{table} AFTER INSERT ON {table}"
    " BEGIN INSERT INTO commit_guard VALUES (-1); END"
]
DROP_TRIGGER = "DROP TRIGGER commit_guard_{table}"
UNGUARD = ["DROP TABLE commit_guard", "DROP TABLE commit_guard_parent"]

ADA = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}

FailCommits = Callable[[str], None]


@pytest.fixture
def fail_commits(engine: Engine) -> Iterator[FailCommits]:
    """`fail_commits("users")`: from now on, no INSERT into it commits."""
    guarded: list[str] = []

    def guard(table: str) -> None:
        with engine.begin() as connection:
            for statement in [*GUARD, *TRIGGER]:
                connection.exec_driver_sql(statement.format(table=table))
        guarded.append(table)

    try:
        yield guard
    finally:
        if guarded:
            with engine.begin() as connection:
                for table in guarded:
                    drop = DROP_TRIGGER.format(table=table)
                    connection.exec_driver_sql(drop)
                for statement in UNGUARD:
                    connection.exec_driver_sql(statement)


def count_rows(model: type[Base]) -> int:
    with SessionLocal() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def assert_fails_safely(
    client: TestClient, method: str, url: str, **options: Any
) -> None:
    """The request gets a 500, that names its log line.

    The commit failed on the server's side: not the client's conflict (409),
    nor the database being out of reach (503).
    """
    response = client.request(method, url, **options)

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert response.headers[REQUEST_ID_HEADER]


def test_a_sign_up_whose_commit_fails_is_an_error(
    committed_client: TestClient, fail_commits: FailCommits
) -> None:
    fail_commits("users")

    assert_fails_safely(
        committed_client,
        "POST",
        "/api/v1/users",
        json=ADA,
    )
    assert count_rows(User) == 0


def test_a_post_whose_commit_fails_is_an_error(
    committed_client: TestClient, fail_commits: FailCommits
) -> None:
    signed_up = committed_client.post("/api/v1/users", json=ADA)
    assert signed_up.status_code == 201
    token = committed_client.post(
        "/api/v1/auth/token", data={"username": ADA["email"], "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    post = committed_client.post(
        "/api/v1/posts", json={"title": "Kept", "body": "Text."}, headers=headers
    )
    fail_commits("posts")
    fail_commits("comments")

    assert_fails_safely(
        committed_client,
        "POST",
        "/api/v1/posts",
        json={"title": "Lost", "body": "Text.", "tags": ["new"]},
        headers=headers,
    )
    assert_fails_safely(
        committed_client,
        "POST",
        f"/api/v1/posts/{post.json()['id']}/comments",
        json={"body": "Lost too."},
        headers=headers,
    )
    assert count_rows(Post) == 1
    assert count_rows(Tag) == 0
    assert count_rows(Comment) == 0
