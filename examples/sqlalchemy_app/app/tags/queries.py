"""How tags are read: the statements, built without I/O."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select

from app.posts.models import Post
from app.tags.models import Tag, post_tags


def tag_counts(limit: int) -> Select[str, int]:
    """(name, post count) of the most used tags; unused tags are left out."""
    post_count = func.count(Post.id).label("post_count")
    return (
        select(Tag.name, post_count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .group_by(Tag.id, Tag.name)
        .order_by(post_count.desc(), Tag.name)
        .limit(limit)
    )


def names_of_posts(post_ids: Sequence[int]) -> Select[int, str]:
    """(post id, tag name) for these posts, by name: one query for a whole page."""
    return (
        select(post_tags.c.post_id, Tag.name)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(post_tags.c.post_id.in_(post_ids))
        .order_by(post_tags.c.post_id, Tag.name)
    )
