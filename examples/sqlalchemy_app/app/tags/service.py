"""Tag reporting, with Core aggregation: rows are counted, not loaded."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.posts.models import Post
from app.tags.models import Tag, post_tags
from app.tags.schemas import TagCount


def tag_counts(*, session: Session, limit: int) -> list[TagCount]:
    """Tags by number of (live) posts, most used first; unused tags are left out."""
    post_count = func.count(Post.id).label("post_count")
    statement = (
        select(Tag.name, post_count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .group_by(Tag.id, Tag.name)
        .order_by(post_count.desc(), Tag.name)
        .limit(limit)
    )
    rows = session.execute(statement)
    return [TagCount(name=name, post_count=count) for name, count in rows]
