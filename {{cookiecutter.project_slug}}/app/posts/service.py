"""Post use cases. Each write commits its own transaction before returning."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.pagination import keyset_page, next_cursor
from app.posts.models import Post
from app.posts.queries import filtered, posts_with_counts, to_read, unique_tag_names
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


async def read_post(*, session: AsyncSession, post_id: int) -> PostRead | None:
    row = (
        await session.execute(posts_with_counts().where(Post.id == post_id))
    ).one_or_none()
    if row is None:
        return None
    post, comments = row
    return to_read(post, comments)


async def list_posts(
    *,
    session: AsyncSession,
    q: str | None,
    author_id: int | None,
    tag: str | None,
    limit: int,
    cursor: str | None,
) -> PostPage:
    """Newest first, by keyset on (created_at, id); filters combine with AND."""
    statement = keyset_page(
        filtered(posts_with_counts(), q=q, author_id=author_id, tag=tag),
        created_at=Post.created_at,
        id_column=Post.id,
        cursor=cursor,
        limit=limit,
        newest_first=True,
    )
    rows = list((await session.execute(statement)).all())
    following = next_cursor([post for post, _ in rows], limit)
    return PostPage(
        items=[to_read(post, count) for post, count in rows[:limit]],
        next_cursor=following,
    )


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
