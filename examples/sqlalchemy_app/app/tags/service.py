"""Tag use cases: tags are made on first use and counted in SQL.

`tag_counts` returns its rows as they are; the route declares the schema it
answers with (`response_model`), and FastAPI reads it from the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.tags import queries
from app.tags.models import Tag


def get_or_create(*, session: Session, names: Sequence[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones, in the given order.

    Names arrive normalised (`TagName`); a repeated name gives one tag. A tag
    created at the same moment by another request is picked up instead of
    failing: each insert runs in a savepoint.
    """
    names = list(dict.fromkeys(names))
    if not names:
        return []
    found = {
        tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(names)))
    }
    for name in names:
        if name in found:
            continue
        try:
            with session.begin_nested():
                tag = Tag(name=name)
                session.add(tag)
            found[name] = tag
        except IntegrityError:
            found[name] = (session.scalars(select(Tag).where(Tag.name == name))).one()
    return [found[name] for name in names]


def names_of_posts(
    *, session: Session, post_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Each post's tag names, by name; a post without tags maps to []."""
    names: dict[int, list[str]] = defaultdict(list)
    if post_ids:
        for post_id, name in session.execute(queries.names_of_posts(post_ids)):
            names[post_id].append(name)
    return names


def tag_counts(*, session: Session, limit: int) -> Sequence[Row[str, int]]:
    """Tags by number of posts, most used first; unused tags are left out."""
    return (session.execute(queries.tag_counts(limit))).all()
