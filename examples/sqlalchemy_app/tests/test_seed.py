"""The bulk seed: batched executemany inserts, each batch its own transaction."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.comments.models import Comment
from app.posts.models import Post
from app.seed import TAG_NAMES, seed
from app.tags.models import post_tags
from app.users.models import User


def test_seed_inserts_what_was_asked_in_batches(session: Session) -> None:
    # Commits inside the seed become savepoints of the test's transaction.
    factory = sessionmaker(
        bind=session.bind,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    progress: Counter[str] = Counter()
    calls: list[str] = []

    def track(table: str, rows: int) -> None:
        progress[table] += rows
        calls.append(table)

    report = seed(
        session_factory=factory,
        users=25,
        posts=60,
        comments=90,
        batch_size=20,
        progress=track,
    )

    def count(table: object) -> int:
        return session.scalar(select(func.count()).select_from(table)) or 0  # type: ignore[arg-type]

    assert count(User) == 25
    assert count(Post) == 60
    assert count(Comment) == 90
    assert count(post_tags) == 60 * 3
    assert report.rows == {
        "users": 25,
        "tags": len(TAG_NAMES),
        "posts": 60,
        "post_tags": 180,
        "comments": 90,
    }
    assert progress == {"users": 25, "posts": 60, "comments": 90}
    assert calls.count("posts") == 3  # 60 rows in batches of 20
    assert report.rows_per_second > 0
    # Every post has three distinct tags.
    per_post = session.execute(
        select(
            post_tags.c.post_id, func.count(func.distinct(post_tags.c.tag_id))
        ).group_by(post_tags.c.post_id)
    )
    assert {tags for _, tags in per_post} == {3}


def test_seed_twice_adds_more_without_clashing(session: Session) -> None:
    factory = sessionmaker(
        bind=session.bind,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )

    first = seed(session_factory=factory, users=5, posts=5, comments=5)
    second = seed(session_factory=factory, users=5, posts=5, comments=5)

    assert first.rows["tags"] == len(TAG_NAMES)
    assert second.rows["tags"] == 0
    assert session.scalar(select(func.count()).select_from(User)) == 10
