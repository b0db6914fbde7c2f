"""How posts are read: statements and mapping, shared by sync and async. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.comments.models import Comment
from app.pagination import S
from app.posts.models import Post
from app.posts.schemas import PostRead
from app.search import matches
from app.tags.models import Tag
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


def posts_with_counts() -> Select[Post, int]:
    """Posts with their author (joined) and tags (one extra IN query)."""
    return select(Post, comment_count).options(
        joinedload(Post.author), selectinload(Post.tags)
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


def unique_tag_names(names: Sequence[str]) -> list[str]:
    """Names in their first-seen order, each once (they arrive normalised)."""
    return list(dict.fromkeys(names))
