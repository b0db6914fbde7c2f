"""Soft delete: rows are stamped, hidden everywhere, cascaded, and restorable."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import ForeignKey, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
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


async def stamps(session: AsyncSession, model: Any) -> dict[int, Any]:
    """id -> deleted_at for every row of a table, deleted or not."""
    rows = await session.execute(
        select(model.id, model.deleted_at).execution_options(**{INCLUDE_DELETED: True})
    )
    return {row.id: row.deleted_at for row in rows}


async def comment_on(client: AsyncClient, post_id: int, author: User) -> int:
    response = await client.post(
        f"{POSTS}/{post_id}/comments", json={"body": "hi"}, headers=headers_for(author)
    )
    comment_id: int = response.json()["id"]
    return comment_id


async def test_deleted_user_row_is_kept_with_a_stamp(
    client: AsyncClient, session: AsyncSession, user: User
) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    hidden = await session.scalar(select(User).where(User.id == user.id))
    kept = await stamps(session, User)
    assert hidden is None
    assert kept[user.id] is not None


async def test_deleting_a_user_stamps_their_posts_and_comments_together(
    client: AsyncClient,
    session: AsyncSession,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    other = await user_factory()
    own_post = await post_factory()
    others_post = await post_factory(author=other)
    on_own = await comment_on(client, own_post.id, other)  # goes with user's post
    by_user = await comment_on(client, others_post.id, user)  # user's own comment
    survivor = await comment_on(client, others_post.id, other)

    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    users, posts, comments = (
        await stamps(session, User),
        await stamps(session, Post),
        await stamps(session, Comment),
    )
    stamp = users[user.id]
    assert stamp is not None
    assert posts == {own_post.id: stamp, others_post.id: None}
    assert comments == {on_own: stamp, by_user: stamp, survivor: None}
    # And the API shows none of it.
    assert (await client.get(f"{POSTS}/{own_post.id}")).status_code == 404
    listed = (await client.get(f"{POSTS}/{others_post.id}/comments")).json()["items"]
    assert [c["id"] for c in listed] == [survivor]
    assert (await client.get(f"{POSTS}/{others_post.id}")).json()["comment_count"] == 1


async def test_deleted_user_cannot_log_in(client: AsyncClient, user: User) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    response = await client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )

    assert response.status_code == 401


async def test_restore_brings_back_exactly_what_the_delete_took(
    client: AsyncClient,
    session: AsyncSession,
    post_factory: PostFactory,
    user: User,
    superuser: User,
) -> None:
    kept_post = await post_factory()
    earlier_post = await post_factory()
    kept_comment = await comment_on(client, kept_post.id, user)
    earlier_comment = await comment_on(client, kept_post.id, user)
    # Deleted on their own first: restoring the user must not bring these back.
    await client.delete(f"{POSTS}/{earlier_post.id}", headers=headers_for(user))
    await client.delete(
        f"/api/v1/comments/{earlier_comment}", headers=headers_for(user)
    )
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    refused = await client.post(f"{USERS}/{user.id}/restore", headers=headers_for(user))
    restored = await client.post(
        f"{USERS}/{user.id}/restore", headers=headers_for(superuser)
    )

    assert refused.status_code == 401  # a deleted user's token no longer works
    assert restored.status_code == 200
    posts, comments = await stamps(session, Post), await stamps(session, Comment)
    assert posts[kept_post.id] is None
    assert posts[earlier_post.id] is not None
    assert comments[kept_comment] is None
    assert comments[earlier_comment] is not None


async def test_only_a_superuser_restores_users(
    client: AsyncClient, user: User, user_factory: UserFactory
) -> None:
    other = await user_factory()
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    response = await client.post(
        f"{USERS}/{user.id}/restore", headers=headers_for(other)
    )

    assert response.status_code == 403


async def test_post_restore_by_author_with_its_comments(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    post = await post_factory(tags=["t"])
    comment = await comment_on(client, post.id, user)
    stranger = await user_factory()
    await client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))

    refused = await client.post(
        f"{POSTS}/{post.id}/restore", headers=headers_for(stranger)
    )
    restored = await client.post(
        f"{POSTS}/{post.id}/restore", headers=headers_for(user)
    )
    missing = await client.post(
        f"{POSTS}/{post.id + 50}/restore", headers=headers_for(user)
    )

    assert refused.status_code == 403
    assert restored.status_code == 200
    assert restored.json()["tags"] == ["t"]
    assert restored.json()["comment_count"] == 1
    assert missing.status_code == 404
    comments = (await client.get(f"{POSTS}/{post.id}/comments")).json()["items"]
    assert [c["id"] for c in comments] == [comment]


async def test_restoring_a_post_leaves_out_comments_by_users_deleted_since(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    bob = await user_factory()
    post = await post_factory()
    await comment_on(client, post.id, bob)
    await client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))
    await client.delete(f"{USERS}/{bob.id}", headers=headers_for(bob))

    restored = await client.post(
        f"{POSTS}/{post.id}/restore", headers=headers_for(user)
    )

    # Bob's comment went with the post, but Bob is gone now: it stays hidden.
    assert restored.status_code == 200
    assert restored.json()["comment_count"] == 0
    comments = await client.get(f"{POSTS}/{post.id}/comments")
    assert comments.status_code == 200
    assert comments.json()["items"] == []
    assert (await client.get("/api/v1/stats")).json()["comments"] == 0


async def test_restoring_a_user_leaves_out_comments_on_posts_deleted_since(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
    superuser: User,
) -> None:
    bob = await user_factory()
    post = await post_factory()
    comment = await comment_on(client, post.id, bob)
    await client.delete(f"{USERS}/{bob.id}", headers=headers_for(bob))
    await client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))

    restored = await client.post(
        f"{USERS}/{bob.id}/restore", headers=headers_for(superuser)
    )

    # Bob is back, but the post his comment sat on is not: it stays hidden.
    assert restored.status_code == 200
    assert (await client.get("/api/v1/stats")).json()["comments"] == 0
    # His sessions ended with the delete: he signs in again.
    login = await client.post(
        "/api/v1/auth/token", data={"username": bob.email, "password": PASSWORD}
    )
    delete = await client.delete(
        f"/api/v1/comments/{comment}",
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
    )
    assert delete.status_code == 404


async def test_a_deleted_users_email_can_be_reused_and_then_restore_is_409(
    client: AsyncClient, user: User, superuser: User
) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    again = await client.post(
        USERS,
        json={"name": "New Ada", "email": "Ada@example.com", "password": PASSWORD},
    )
    restore = await client.post(
        f"{USERS}/{user.id}/restore", headers=headers_for(superuser)
    )

    assert again.status_code == 201
    assert restore.status_code == 409
    assert (await client.get(f"{USERS}/{user.id}")).status_code == 404


async def test_maintenance_code_can_opt_in_to_deleted_rows(
    client: AsyncClient, session: AsyncSession, user: User
) -> None:
    await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    default = (await session.scalars(select(User))).all()
    everything = (
        await session.scalars(select(User).execution_options(**{INCLUDE_DELETED: True}))
    ).all()

    assert default == []
    assert [u.id for u in everything] == [user.id]


async def test_relationship_collections_hide_deleted_rows(
    client: AsyncClient, session: AsyncSession, post_factory: PostFactory, user: User
) -> None:
    kept = await post_factory()
    gone = await post_factory()
    await client.delete(f"{POSTS}/{gone.id}", headers=headers_for(user))

    author = await session.scalar(
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
