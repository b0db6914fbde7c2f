"""Post use cases. Each write commits its own transaction before returning."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.pagination import keyset_page, next_cursor
from app.posts.models import Post
from app.posts.queries import (
    filtered,
    post_rows,
    rows_to_reads,
    tag_names,
    to_read,
    unique_tag_names,
)
from app.posts.schemas import PostCreate, PostPage, PostRead, PostUpdate
from app.tags.models import Tag
from app.users.models import User


async def get_or_create_tags(*, session: AsyncSession, names: list[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones, in the given order.

    A tag created at the same moment by another request is picked up instead
    of failing: each insert runs in a savepoint.
    """
    names = unique_tag_names(names)
    if not names:
        return []
    found = {
        tag.name: tag
        for tag in await session.scalars(select(Tag).where(Tag.name.in_(names)))
    }
    for name in names:
        if name in found:
            continue
        try:
            async with session.begin_nested():
                tag = Tag(name=name)
                session.add(tag)
            found[name] = tag
        except IntegrityError:
            found[name] = (
                await session.scalars(select(Tag).where(Tag.name == name))
            ).one()
    return [found[name] for name in names]


async def create_post(
    *, session: AsyncSession, author: User, data: PostCreate
) -> PostRead:
    """Create a post with its tags, all in one transaction."""
    tags = await get_or_create_tags(session=session, names=data.tags)
    post = Post(title=data.title, body=data.body, author=author, tags=tags)
    session.add(post)
    await session.commit()
    return to_read(post, 0)


async def _reads(session: AsyncSession, rows: list[Any]) -> list[PostRead]:
    if not rows:
        return []
    tags = await session.execute(tag_names([row.id for row in rows]))
    return rows_to_reads(rows, tags)


async def read_post(*, session: AsyncSession, post_id: int) -> PostRead | None:
    rows = list(await session.execute(post_rows().where(Post.id == post_id)))
    found = await _reads(session, rows)
    return found[0] if found else None


async def list_posts(
    *,
    session: AsyncSession,
    q: str | None,
    author_id: int | None,
    tag: str | None,
    limit: int,
    cursor: str | None,
) -> PostPage:
    """Newest first, by keyset on (created_at, id); filters combine with AND.

    Two statements whatever the page size: the posts with author and comment
    count, then the tags of the whole page.
    """
    statement = keyset_page(
        filtered(post_rows(), q=q, author_id=author_id, tag=tag),
        created_at=Post.created_at,
        id_column=Post.id,
        cursor=cursor,
        limit=limit,
        newest_first=True,
    )
    rows = list(await session.execute(statement))
    following = next_cursor(rows, limit)
    return PostPage(items=await _reads(session, rows), next_cursor=following)


async def update_post(
    *, session: AsyncSession, post: Post, data: PostUpdate
) -> PostRead:
    """Apply a partial update; `tags`, when given, replaces the post's tags."""
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "tags" in changes:
        # Replacing a collection needs the current one (lazy="raise": load it).
        await session.refresh(post, ["tags"])
        post.tags = await get_or_create_tags(session=session, names=changes.pop("tags"))
    for field, value in changes.items():
        setattr(post, field, value)
    await session.commit()
    updated = await read_post(session=session, post_id=post.id)
    assert updated is not None  # noqa: S101 - committed just above
    return updated


async def delete_post(*, session: AsyncSession, post: Post) -> None:
    """Delete a post; its comments go with it."""
    await session.delete(post)
    await session.commit()
