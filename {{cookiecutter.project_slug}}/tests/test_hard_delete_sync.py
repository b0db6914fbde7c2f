# unasync: generated from test_hard_delete.py by scripts/unasync.py. Do not edit:
# unasync: edit test_hard_delete.py, then run `python scripts/unasync.py`.
"""Hard delete: rows leave the tables, and the database cascades to children."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.posts.models import Post
from app.tags.models import Tag, post_tags
from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

USERS = "/api/v1/users"
POSTS = "/api/v1/posts"


def count(session: Session, table: Any) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_deleting_a_user_removes_their_rows_and_children(
    client: TestClient,
    session: Session,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    other = user_factory()
    own_post = post_factory(tags=["a", "b"])
    others_post = post_factory(author=other, tags=["a"])
    for post_id, author in [
        (own_post.id, other),
        (others_post.id, user),
        (others_post.id, other),
    ]:
        client.post(
            f"{POSTS}/{post_id}/comments",
            json={"body": "x"},
            headers=headers_for(author),
        )

    response = client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    assert response.status_code == 204
    assert count(session, User) == 1
    assert list(session.scalars(select(Post.id))) == [others_post.id]
    # Only `other`'s comment on `other`'s post is left; no orphans anywhere.
    assert count(session, Comment) == 1
    assert list(session.scalars(select(post_tags.c.post_id))) == [others_post.id]
    assert count(session, Tag) == 2  # tags are shared vocabulary, kept


def test_deleting_a_post_removes_its_comments_and_links(
    client: TestClient, session: Session, post_factory: PostFactory, user: User
) -> None:
    post = post_factory(tags=["x"])
    client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "x"}, headers=headers_for(user)
    )

    response = client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))

    assert response.status_code == 204
    assert count(session, Post) == 0
    assert count(session, Comment) == 0
    assert count(session, post_tags) == 0


def test_the_database_itself_cascades(session: Session, user: User) -> None:
    """Not the ORM cascade: a bulk DELETE on users removes posts (foreign keys are on)."""
    session.add(Post(title="t", body="b", author_id=user.id))
    session.flush()

    session.execute(delete(User).where(User.id == user.id))

    assert count(session, Post) == 0


def test_a_deleted_row_cannot_be_brought_back(client: TestClient) -> None:
    """Nothing but sign-up, the account's tokens and password, and writing
    posts and comments takes a POST."""
    paths = (client.get("/openapi.json")).json()["paths"]

    assert {path for path, methods in paths.items() if "post" in methods} == {
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        USERS,
        POSTS,
        POSTS + "/{post_id}/comments",
    }
