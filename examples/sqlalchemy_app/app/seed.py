"""Demo and bulk data: `python -m app seed --users N --posts M --comments K`.

Rows go in with SQLAlchemy 2 bulk `insert()` executemany (the modern form of
the old `bulk_save_objects`), one batch per transaction, with RETURNING for
the generated ids. Objects are never built one by one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.auth.security import hash_password
from app.comments.models import Comment
from app.database import utc_now
from app.posts.models import Post
from app.tags.models import Tag, post_tags
from app.users.models import User

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the demo on purpose
TAG_NAMES = (
    "python", "sqlalchemy", "fastapi", "caching", "deployment", "alembic", "design",
    "testing", "performance", "security", "pydantic", "docker", "api", "orm",
    "migrations", "indexes", "pagination", "search", "transactions", "tutorial",
)  # fmt: skip
WORDS = (
    "session", "engine", "query", "index", "cursor", "table", "column", "schema",
    "migration", "transaction", "commit", "rollback", "relationship", "eager",
    "select", "insert", "update", "delete", "join", "keyset",
)  # fmt: skip

Progress = Callable[[str, int], None]


@dataclass
class SeedReport:
    """How many rows went into each table, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


def _batches(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _insert_returning_ids(
    session: Session, model: Any, rows: Sequence[dict[str, Any]]
) -> list[int]:
    result = session.scalars(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows
    )
    return list(result)


def seed(
    *,
    session_factory: sessionmaker[Session],
    users: int,
    posts: int,
    comments: int,
    batch_size: int = 5_000,
    progress: Progress | None = None,
    random_seed: int = 42,
) -> SeedReport:
    """Insert `users`, `posts` (3 tags each) and `comments`, in batches."""
    report = SeedReport()
    advance: Progress = progress or (lambda _table, _rows: None)
    rng = random.Random(random_seed)  # noqa: S311 - demo data, not secrets
    started = time.perf_counter()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash, shared: it's demo data
    now = utc_now()
    with session_factory() as session:
        first = (session.scalar(select(func.max(User.id)))) or 0
        user_ids: list[int] = []
        for batch in _batches(users, batch_size):
            rows = [
                {
                    "name": f"User {first + n + 1}",
                    "email": f"user{first + n + 1}@seed.example.com",
                    "password_hash": password_hash,
                    "created_at": now - timedelta(days=400, seconds=users - n),
                    "updated_at": now,
                }
                for n in batch
            ]
            user_ids += _insert_returning_ids(session, User, rows)
            session.commit()
            advance("users", len(rows))
        report.rows["users"] = len(user_ids)
        if posts and not user_ids:
            user_ids = list(session.scalars(select(User.id).limit(1000)))

        existing = set(session.scalars(select(Tag.name)))
        missing = [{"name": name} for name in TAG_NAMES if name not in existing]
        if missing:
            session.execute(insert(Tag), missing)
            session.commit()
        tag_ids = list(session.scalars(select(Tag.id).where(Tag.name.in_(TAG_NAMES))))
        report.rows["tags"] = len(missing)

        post_ids: list[int] = []
        links = 0
        for batch in _batches(posts if user_ids else 0, batch_size):
            rows = [
                {
                    "title": _text(rng, 4),
                    "body": _text(rng, 30),
                    "author_id": rng.choice(user_ids),
                    # Spread over the past year, newest last, like real traffic.
                    "created_at": now - timedelta(seconds=(posts - n) * 60),
                    "updated_at": now,
                }
                for n in batch
            ]
            ids = _insert_returning_ids(session, Post, rows)
            tag_rows = [
                {"post_id": post_id, "tag_id": tag_id}
                for post_id in ids
                for tag_id in rng.sample(tag_ids, k=min(3, len(tag_ids)))
            ]
            if tag_rows:
                session.execute(insert(post_tags), tag_rows)
            session.commit()
            post_ids += ids
            links += len(tag_rows)
            advance("posts", len(rows))
        report.rows["posts"] = len(post_ids)
        report.rows["post_tags"] = links

        written = 0
        for batch in _batches(comments if post_ids else 0, batch_size):
            rows = [
                {
                    "body": _text(rng, 12),
                    "post_id": rng.choice(post_ids),
                    "author_id": rng.choice(user_ids),
                    "created_at": now - timedelta(seconds=comments - n),
                    "updated_at": now,
                }
                for n in batch
            ]
            session.execute(insert(Comment), rows)
            session.commit()
            written += len(rows)
            advance("comments", len(rows))
        report.rows["comments"] = written
        # Fresh planner statistics, so the first queries on the new rows use
        # the indexes.
        session.execute(text("ANALYZE"))
        session.commit()
    report.seconds = time.perf_counter() - started
    return report
