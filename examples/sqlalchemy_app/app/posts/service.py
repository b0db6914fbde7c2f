"""Post use cases. Each write commits its own transaction before returning."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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


def get_or_create_tags(*, session: Session, names: list[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones, in the given order.

    A tag created at the same moment by another request is picked up instead
    of failing: each insert runs in a savepoint.
    """
    names = unique_tag_names(names)
    if not names:
        return []
    found = {
        tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(names)))
    }
    for name in names:
        if name in found:
            continue
        try:
            with session.begin_nested():
                tag = Tag(name=name)
                session.add(tag)
            found[name] = tag
        except IntegrityError:
            found[name] = (session.scalars(select(Tag).where(Tag.name == name))).one()
    return [found[name] for name in names]


def create_post(*, session: Session, author: User, data: PostCreate) -> PostRead:
    """Create a post with its tags, all in one transaction."""
    tags = get_or_create_tags(session=session, names=data.tags)
    post = Post(title=data.title, body=data.body, author=author, tags=tags)
    session.add(post)
    session.commit()
    return to_read(post, 0)


def _reads(session: Session, rows: list[Any]) -> list[PostRead]:
    if not rows:
        return []
    tags = session.execute(tag_names([row.id for row in rows]))
    return rows_to_reads(rows, tags)


def read_post(*, session: Session, post_id: int) -> PostRead | None:
    rows = list(session.execute(post_rows().where(Post.id == post_id)))
    found = _reads(session, rows)
    return found[0] if found else None


def list_posts(
    *,
    session: Session,
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
    rows = list(session.execute(statement))
    following = next_cursor(rows, limit)
    return PostPage(items=_reads(session, rows), next_cursor=following)


def update_post(*, session: Session, post: Post, data: PostUpdate) -> PostRead:
    """Apply a partial update; `tags`, when given, replaces the post's tags."""
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "tags" in changes:
        # Replacing a collection needs the current one (lazy="raise": load it).
        session.refresh(post, ["tags"])
        post.tags = get_or_create_tags(session=session, names=changes.pop("tags"))
    for field, value in changes.items():
        setattr(post, field, value)
    session.commit()
    updated = read_post(session=session, post_id=post.id)
    assert updated is not None  # noqa: S101 - committed just above
    return updated


def delete_post(*, session: Session, post: Post) -> None:
    """Delete a post; its comments go with it."""
    session.delete(post)
    session.commit()
