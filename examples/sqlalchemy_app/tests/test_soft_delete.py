"""Soft delete: rows are stamped, hidden everywhere, cascaded, and restorable."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    configure_mappers,
    mapped_column,
    relationship,
    selectinload,
)

from app.comments.models import Comment
from app.deletion import INCLUDE_DELETED, DanglingCascadeError, DeletionMixin
from app.posts.models import Post
from app.users.models import User
from tests.conftest import PASSWORD, PostFactory, UserFactory, headers_for

USERS = "/api/v1/users"
POSTS = "/api/v1/posts"


def stamps(session: Session, model: Any) -> dict[int, Any]:
    """id -> deleted_at for every row of a table, deleted or not."""
    rows = session.execute(
        select(model.id, model.deleted_at).execution_options(**{INCLUDE_DELETED: True})
    )
    return {row.id: row.deleted_at for row in rows}


def comment_on(client: TestClient, post_id: int, author: User) -> int:
    response = client.post(
        f"{POSTS}/{post_id}/comments", json={"body": "hi"}, headers=headers_for(author)
    )
    comment_id: int = response.json()["id"]
    return comment_id


def test_deleted_user_row_is_kept_with_a_stamp(
    client: TestClient, session: Session, user: User
) -> None:
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    hidden = session.scalar(select(User).where(User.id == user.id))
    kept = stamps(session, User)
    assert hidden is None
    assert kept[user.id] is not None


def test_deleting_a_user_stamps_their_posts_and_comments_together(
    client: TestClient,
    session: Session,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    other = user_factory()
    own_post = post_factory()
    others_post = post_factory(author=other)
    on_own = comment_on(client, own_post.id, other)  # goes with user's post
    by_user = comment_on(client, others_post.id, user)  # user's own comment
    survivor = comment_on(client, others_post.id, other)

    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    users, posts, comments = (
        stamps(session, User),
        stamps(session, Post),
        stamps(session, Comment),
    )
    stamp = users[user.id]
    assert stamp is not None
    assert posts == {own_post.id: stamp, others_post.id: None}
    assert comments == {on_own: stamp, by_user: stamp, survivor: None}
    # And the API shows none of it.
    assert (client.get(f"{POSTS}/{own_post.id}")).status_code == 404
    listed = (client.get(f"{POSTS}/{others_post.id}/comments")).json()["items"]
    assert [c["id"] for c in listed] == [survivor]
    assert (client.get(f"{POSTS}/{others_post.id}")).json()["comment_count"] == 1


def test_deleted_user_cannot_log_in(client: TestClient, user: User) -> None:
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    response = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )

    assert response.status_code == 401


def test_restore_brings_back_exactly_what_the_delete_took(
    client: TestClient,
    session: Session,
    post_factory: PostFactory,
    user: User,
    superuser: User,
) -> None:
    kept_post = post_factory()
    earlier_post = post_factory()
    kept_comment = comment_on(client, kept_post.id, user)
    earlier_comment = comment_on(client, kept_post.id, user)
    # Deleted on their own first: restoring the user must not bring these back.
    client.delete(f"{POSTS}/{earlier_post.id}", headers=headers_for(user))
    client.delete(f"/api/v1/comments/{earlier_comment}", headers=headers_for(user))
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    refused = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(user))
    restored = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(superuser))

    assert refused.status_code == 401  # a deleted user's token no longer works
    assert restored.status_code == 200
    posts, comments = stamps(session, Post), stamps(session, Comment)
    assert posts[kept_post.id] is None
    assert posts[earlier_post.id] is not None
    assert comments[kept_comment] is None
    assert comments[earlier_comment] is not None


def test_only_a_superuser_restores_users(
    client: TestClient, user: User, user_factory: UserFactory
) -> None:
    other = user_factory()
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    response = client.post(f"{USERS}/{user.id}/restore", headers=headers_for(other))

    assert response.status_code == 403


def test_post_restore_by_author_with_its_comments(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    post = post_factory(tags=["t"])
    comment = comment_on(client, post.id, user)
    stranger = user_factory()
    client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))

    refused = client.post(f"{POSTS}/{post.id}/restore", headers=headers_for(stranger))
    restored = client.post(f"{POSTS}/{post.id}/restore", headers=headers_for(user))
    missing = client.post(f"{POSTS}/{post.id + 50}/restore", headers=headers_for(user))

    assert refused.status_code == 403
    assert restored.status_code == 200
    assert restored.json()["tags"] == ["t"]
    assert restored.json()["comment_count"] == 1
    assert missing.status_code == 404
    comments = (client.get(f"{POSTS}/{post.id}/comments")).json()["items"]
    assert [c["id"] for c in comments] == [comment]


def test_restoring_a_post_leaves_out_comments_by_users_deleted_since(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    bob = user_factory()
    post = post_factory()
    comment_on(client, post.id, bob)
    client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))
    client.delete(f"{USERS}/{bob.id}", headers=headers_for(bob))

    restored = client.post(f"{POSTS}/{post.id}/restore", headers=headers_for(user))

    # Bob's comment went with the post, but Bob is gone now: it stays hidden.
    assert restored.status_code == 200
    assert restored.json()["comment_count"] == 0
    comments = client.get(f"{POSTS}/{post.id}/comments")
    assert comments.status_code == 200
    assert comments.json()["items"] == []
    assert (client.get("/api/v1/stats")).json()["comments"] == 0


def test_restoring_a_user_leaves_out_comments_on_posts_deleted_since(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
    superuser: User,
) -> None:
    bob = user_factory()
    post = post_factory()
    comment = comment_on(client, post.id, bob)
    client.delete(f"{USERS}/{bob.id}", headers=headers_for(bob))
    client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))

    restored = client.post(f"{USERS}/{bob.id}/restore", headers=headers_for(superuser))

    # Bob is back, but the post his comment sat on is not: it stays hidden.
    assert restored.status_code == 200
    assert (client.get("/api/v1/stats")).json()["comments"] == 0
    # His sessions ended with the delete: he signs in again.
    login = client.post(
        "/api/v1/auth/token", data={"username": bob.email, "password": PASSWORD}
    )
    delete = client.delete(
        f"/api/v1/comments/{comment}",
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
    )
    assert delete.status_code == 404


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
    assert (client.get(f"{USERS}/{user.id}")).status_code == 404


def test_maintenance_code_can_opt_in_to_deleted_rows(
    client: TestClient, session: Session, user: User
) -> None:
    client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    default = (session.scalars(select(User))).all()
    everything = (
        session.scalars(select(User).execution_options(**{INCLUDE_DELETED: True}))
    ).all()

    assert default == []
    assert [u.id for u in everything] == [user.id]


def test_relationship_collections_hide_deleted_rows(
    client: TestClient, session: Session, post_factory: PostFactory, user: User
) -> None:
    kept = post_factory()
    gone = post_factory()
    client.delete(f"{POSTS}/{gone.id}", headers=headers_for(user))

    author = session.scalar(
        select(User).where(User.id == user.id).options(selectinload(User.posts))
    )

    assert author is not None
    assert [post.id for post in author.posts] == [kept.id]


def scratch_models(*, cascade: bool) -> type[DeclarativeBase]:
    """A shelf and its books, soft-deletable both, in a registry of their own."""

    class Scratch(DeclarativeBase):
        pass

    class Shelf(DeletionMixin, Scratch):
        __tablename__ = "shelves"
        __soft_delete_cascade__ = ("books",) if cascade else ()
        id: Mapped[int] = mapped_column(primary_key=True)
        books: Mapped[list[Book]] = relationship(lazy="raise")

    class Book(DeletionMixin, Scratch):
        __tablename__ = "books"
        id: Mapped[int] = mapped_column(primary_key=True)
        shelf_id: Mapped[int] = mapped_column(ForeignKey("shelves.id"))

    return Scratch


def test_a_child_its_parent_does_not_cascade_to_is_refused_at_start_up() -> None:
    """Else deleting a shelf would leave its books visible, pointing at it."""
    scratch = scratch_models(cascade=False)
    try:
        with pytest.raises(DanglingCascadeError) as refused:
            configure_mappers()
    finally:
        scratch.registry.dispose()

    assert "Book" in str(refused.value)
    assert "Shelf" in str(refused.value)


def test_a_child_its_parent_cascades_to_is_accepted() -> None:
    scratch = scratch_models(cascade=True)
    try:
        configure_mappers()
    finally:
        scratch.registry.dispose()
