"""The bulk seed: batched executemany inserts, each batch its own transaction."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.comments.models import Comment
from app.posts.models import Post
from app.seed import TAG_NAMES, seed
from app.tags.models import post_tags
from app.users.models import User


async def test_seed_inserts_what_was_asked_in_batches(session: AsyncSession) -> None:
    # Commits inside the seed become savepoints of the test's transaction.
    factory = async_sessionmaker(
        bind=session.bind,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    progress: Counter[str] = Counter()
    calls: list[str] = []

    def track(table: str, rows: int) -> None:
        progress[table] += rows
        calls.append(table)

    report = await seed(
        session_factory=factory,
        users=25,
        posts=60,
        comments=90,
        batch_size=20,
        progress=track,
    )

    async def count(table: object) -> int:
        return await session.scalar(select(func.count()).select_from(table)) or 0  # type: ignore[arg-type]

    assert await count(User) == 25
    assert await count(Post) == 60
    assert await count(Comment) == 90
    assert await count(post_tags) == 60 * 3
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
    per_post = await session.execute(
        select(
            post_tags.c.post_id, func.count(func.distinct(post_tags.c.tag_id))
        ).group_by(post_tags.c.post_id)
    )
    assert {tags for _, tags in per_post} == {3}


async def test_seed_twice_adds_more_without_clashing(session: AsyncSession) -> None:
    factory = async_sessionmaker(
        bind=session.bind,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )

    first = await seed(session_factory=factory, users=5, posts=5, comments=5)
    second = await seed(session_factory=factory, users=5, posts=5, comments=5)

    assert first.rows["tags"] == len(TAG_NAMES)
    assert second.rows["tags"] == 0
    assert await session.scalar(select(func.count()).select_from(User)) == 10
