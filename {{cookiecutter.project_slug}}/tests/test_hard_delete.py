"""Hard delete: rows leave the tables, and the database cascades to children."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.comments.models import Comment
from app.posts.models import Post
from app.tags.models import Tag, post_tags
from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

USERS = "/api/v1/users"
POSTS = "/api/v1/posts"


async def count(session: AsyncSession, table: Any) -> int:
    return await session.scalar(select(func.count()).select_from(table)) or 0


async def test_deleting_a_user_removes_their_rows_and_children(
    client: AsyncClient,
    session: AsyncSession,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    other = await user_factory()
    own_post = await post_factory(tags=["a", "b"])
    others_post = await post_factory(author=other, tags=["a"])
    for post_id, author in [
        (own_post.id, other),
        (others_post.id, user),
        (others_post.id, other),
    ]:
        await client.post(
            f"{POSTS}/{post_id}/comments",
            json={"body": "x"},
            headers=headers_for(author),
        )

    response = await client.delete(f"{USERS}/{user.id}", headers=headers_for(user))

    assert response.status_code == 204
    assert await count(session, User) == 1
    assert list(await session.scalars(select(Post.id))) == [others_post.id]
    # Only `other`'s comment on `other`'s post is left; no orphans anywhere.
    assert await count(session, Comment) == 1
    assert list(await session.scalars(select(post_tags.c.post_id))) == [others_post.id]
    assert await count(session, Tag) == 2  # tags are shared vocabulary, kept


async def test_deleting_a_post_removes_its_comments_and_links(
    client: AsyncClient, session: AsyncSession, post_factory: PostFactory, user: User
) -> None:
    post = await post_factory(tags=["x"])
    await client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "x"}, headers=headers_for(user)
    )

    response = await client.delete(f"{POSTS}/{post.id}", headers=headers_for(user))

    assert response.status_code == 204
    assert await count(session, Post) == 0
    assert await count(session, Comment) == 0
    assert await count(session, post_tags) == 0


async def test_the_database_itself_cascades(session: AsyncSession, user: User) -> None:
    """Not the ORM cascade: a bulk DELETE on users removes posts (foreign keys are on)."""
    session.add(Post(title="t", body="b", author_id=user.id))
    await session.flush()

    await session.execute(delete(User).where(User.id == user.id))

    assert await count(session, Post) == 0


async def test_a_deleted_row_cannot_be_brought_back(client: AsyncClient) -> None:
    """Nothing but sign-up, the account's tokens and password, and writing
    posts and comments takes a POST."""
    paths = (await client.get("/openapi.json")).json()["paths"]

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
