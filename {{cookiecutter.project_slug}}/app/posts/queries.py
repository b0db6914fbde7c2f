"""How posts are read: the statements, built without I/O."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Bundle

from app.comments.models import Comment
from app.pagination import S
from app.posts.models import Post
from app.search import matches
from app.tags.models import Tag
from app.users.models import User

# Counted in the same statement as the posts, so a page costs the same number of
# queries whatever its size.
# only: soft
# Deleted comments are not counted: the listener of app/deletion.py filters
# Comment wherever it appears, subqueries included.
# end: soft
comment_count = (
    select(func.count(Comment.id))
    .where(Comment.post_id == Post.id)
    .correlate(Post)
    .scalar_subquery()
    .label("comment_count")
)


def post_rows() -> Select[*tuple[Any, ...]]:
    """The columns of `PostRead` but the tags, the author nested in a `Bundle`.

    A read path with no ORM objects: hydrating Post and User instances (and
    their identity map) was most of a list request's CPU.
    """
    # only: soft
    # The statement names ORM entities, so deleted rows stay hidden.
    # end: soft
    return select(
        Post.id,
        Post.title,
        Post.body,
        Post.created_at,
        Post.updated_at,
        Bundle("author", User.id, User.name),
        comment_count,
    ).join(Post.author)


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
