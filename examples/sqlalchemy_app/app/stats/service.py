"""Site statistics with Core aggregation: counted in the database, not in Python."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.posts.models import Post
from app.stats.schemas import AuthorCount, Stats
from app.users.models import User

TOP_AUTHORS = 5


def site_stats(*, session: Session) -> Stats:
    """Counts of live users, posts and comments, and the most prolific authors."""
    totals = (
        session.execute(
            select(
                select(func.count(User.id)).scalar_subquery(),
                select(func.count(Post.id)).scalar_subquery(),
                select(func.count(Comment.id)).scalar_subquery(),
            )
        )
    ).one()
    posts = func.count(Post.id).label("posts")
    top = session.execute(
        select(User.id, User.name, posts)
        .join(Post, Post.author_id == User.id)
        .group_by(User.id, User.name)
        .order_by(posts.desc(), User.id)
        .limit(TOP_AUTHORS)
    )
    return Stats(
        users=totals[0],
        posts=totals[1],
        comments=totals[2],
        top_authors=[AuthorCount(id=i, name=n, posts=p) for i, n, p in top],
    )
