# unasync: generated from service.py by scripts/unasync.py. Do not edit:
# unasync: edit service.py, then run `python scripts/unasync.py`.
"""Site statistics with Core aggregation: counted in the database, not in Python.

The answer is put together from two queries, so it is returned as `Stats`,
made by pydantic from the rows.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.posts.models import Post
from app.stats.schemas import Stats
from app.users.models import User

TOP_AUTHORS = 5


def site_stats(*, session: Session) -> Stats:
    """Counts of users, posts and comments, and the most prolific authors."""
    totals = (
        session.execute(
            select(
                select(func.count(User.id)).scalar_subquery().label("users"),
                select(func.count(Post.id)).scalar_subquery().label("posts"),
                select(func.count(Comment.id)).scalar_subquery().label("comments"),
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
    return Stats.model_validate({**totals._mapping, "top_authors": top.all()})
