"""How posts are read: statements and mapping, shared by sync and async. No I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select

from app.comments.models import Comment
from app.pagination import S
from app.posts.models import Post
from app.posts.schemas import PostRead
from app.search import matches
from app.tags.models import Tag, post_tags
from app.users.models import User
from app.users.schemas import UserSummary

# Counted in the same statement as the posts, so a page costs the same number of
# queries whatever its size. Soft-deleted comments are not counted: the soft
# delete listener filters Comment wherever it appears, subqueries included.
comment_count = (
    select(func.count(Comment.id))
    .where(Comment.post_id == Post.id)
    .correlate(Post)
    .scalar_subquery()
    .label("comment_count")
)


def post_rows() -> Select[*tuple[Any, ...]]:
    """The columns a post is shown with, its author joined in.

    A read path with no ORM objects: hydrating Post and User instances (and
    their identity map) was most of a list request's CPU. The soft-delete
    listener still applies, since the statement names ORM entities.
    """
    return select(
        Post.id,
        Post.title,
        Post.body,
        Post.created_at,
        Post.updated_at,
        User.id.label("author_id"),
        User.name.label("author_name"),
        comment_count,
    ).join(Post.author)


def tag_names(post_ids: Sequence[int]) -> Select[int, str]:
    """(post id, tag name) for these posts: one query for a whole page."""
    return (
        select(post_tags.c.post_id, Tag.name)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(post_tags.c.post_id.in_(post_ids))
        .order_by(post_tags.c.post_id, Tag.name)
    )


def filtered(
    statement: S, *, q: str | None, author_id: int | None, tag: str | None
) -> S:
    if q:
        statement = statement.where(matches(q, Post.title, Post.body))
    if author_id is not None:
        statement = statement.where(Post.author_id == author_id)
    if tag:
        statement = statement.where(Post.tags.any(Tag.name == tag.strip().lower()))
    return statement


def to_read(post: Post, comments: int) -> PostRead:
    """A post the session already holds (just written), with its count."""
    return PostRead(
        id=post.id,
        title=post.title,
        body=post.body,
        author=UserSummary(id=post.author.id, name=post.author.name),
        tags=[tag.name for tag in post.tags],
        comment_count=comments,
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


def rows_to_reads(rows: Sequence[Any], tags: Iterable[Any]) -> list[PostRead]:
    """Posts from `post_rows()` rows and `tag_names()` rows."""
    names: dict[int, list[str]] = defaultdict(list)
    for post_id, name in tags:
        names[post_id].append(name)
    return [
        PostRead(
            id=row.id,
            title=row.title,
            body=row.body,
            author=UserSummary(id=row.author_id, name=row.author_name),
            tags=names[row.id],
            comment_count=row.comment_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def unique_tag_names(names: Sequence[str]) -> list[str]:
    """Names in their first-seen order, each once (they arrive normalised)."""
    return list(dict.fromkeys(names))
