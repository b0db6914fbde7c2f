"""Post use cases. Each write commits its own transaction before returning.

A post is always answered as `PostRead`, with its author, tags and comment
count: it is put together from two queries (the post rows, then the tags of
all of them), so these functions return it built, not the ORM object.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.orm import Session

from app.database import utc_now
from app.deletion import INCLUDE_DELETED, restore_statements
from app.pagination import keyset_page, next_cursor
from app.posts.exceptions import AuthorDeletedError
from app.posts.models import Post
from app.posts.queries import filtered, post_rows
from app.posts.schemas import PostCreate, PostPage, PostRead, PostUpdate
from app.tags import service as tags
from app.users.models import User


def _reads(session: Session, rows: list[Any]) -> list[PostRead]:
    """`PostRead`s from `post_rows()` rows, with the tags of all of them."""
    names = tags.names_of_posts(session=session, post_ids=[row.id for row in rows])
    return [
        PostRead.model_validate({**row._mapping, "tags": names[row.id]}) for row in rows
    ]


_LOCKS = {"update": {"key_share": True}, "share": {"read": True}}


def get_post(
    *,
    session: Session,
    post_id: int,
    lock: Literal["update", "share"] | None = None,
) -> Post | None:
    """The post, or None. With `lock`, its row stays locked until the request's
    transaction ends: "update" for a request that changes or deletes the post,
    so that writers to one post take turns, each seeing what the one before it
    committed; "share" for one that needs the post to stay as it is while it
    adds to it (a comment), so that those do not wait for each other.

    The "update" lock leaves the row's key alone (`key_share`), so rows that
    only refer to it (a comment naming its author) need not wait for it: a
    comment holding its post while naming its author, and the author's delete
    holding the author while reaching the post, would wait for each other.
    """
    # SQLite has no row locks (the lock renders as nothing): a write
    # transaction holds the database's write lock from its first statement
    # (app/database.py), so writers take turns all the same.
    return session.get(
        Post,
        post_id,
        with_for_update=None if lock is None else _LOCKS[lock],
        populate_existing=lock is not None,
    )


def read_post(*, session: Session, post_id: int) -> PostRead | None:
    rows = list(session.execute(post_rows().where(Post.id == post_id)))
    found = _reads(session, rows)
    return found[0] if found else None


def _commit_and_read(session: Session, post: Post) -> PostRead:
    """Commit the post's transaction; the post as it committed it.

    It is read before the commit, in the same transaction: once committed, the
    post may be changed or deleted by the next request before it is read.
    """
    session.flush()
    written = read_post(session=session, post_id=post.id)
    assert written is not None  # noqa: S101 - written in this transaction
    session.commit()
    return written


def create_post(*, session: Session, author: User, data: PostCreate) -> PostRead:
    """Create a post with its tags, all in one transaction."""
    post_tags = tags.get_or_create(session=session, names=data.tags)
    post = Post(title=data.title, body=data.body, author=author, tags=post_tags)
    session.add(post)
    return _commit_and_read(session, post)


def list_posts(
    *,
    session: Session,
    q: str | None,
    author_id: int | None,
    tag: str | None,
    limit: int,
    cursor: str | None,
) -> PostPage:
    """Newest first, by keyset on (created_at, id); filters combine with AND.

    Two statements whatever the page size: the posts with author and comment
    count, then the tags of the whole page.
    """
    statement = keyset_page(
        filtered(post_rows(), q=q, author_id=author_id, tag=tag),
        created_at=Post.created_at,
        id_column=Post.id,
        cursor=cursor,
        limit=limit,
        newest_first=True,
    )
    rows = list(session.execute(statement))
    following = next_cursor(rows, limit)
    return PostPage(items=_reads(session, rows), next_cursor=following)


def update_post(*, session: Session, post: Post, data: PostUpdate) -> PostRead:
    """Apply a partial update; `tags`, when given, replaces the post's tags."""
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "tags" in changes:
        # Replacing a collection needs the current one (lazy="raise": load it).
        session.refresh(post, ["tags"])
        new_tags = tags.get_or_create(session=session, names=changes.pop("tags"))
        if set(new_tags) != set(post.tags):
            post.tags = new_tags
            # The links live in another table: nothing else moves updated_at.
            post.updated_at = utc_now()
    for field, value in changes.items():
        setattr(post, field, value)
    return _commit_and_read(session, post)


def get_post_including_deleted(*, session: Session, post_id: int) -> Post | None:
    """The post, deleted or not, locked like `get_post(lock="update")`."""
    return session.get(
        Post,
        post_id,
        execution_options={INCLUDE_DELETED: True},
        with_for_update=_LOCKS["update"],
        populate_existing=True,
    )


def restore_post(*, session: Session, post: Post) -> PostRead:
    """Bring back a deleted post with the comments that were deleted with it.

    Comments deleted on their own, earlier, stay deleted; restoring a post that
    is not deleted changes nothing. AuthorDeletedError if its author is deleted:
    restoring the author brings the post back too.
    """
    if post.deleted_at is not None:
        author = session.get(
            User, post.author_id, execution_options={INCLUDE_DELETED: True}
        )
        if author is None or author.deleted_at is not None:
            raise AuthorDeletedError
        for statement in restore_statements(post):
            session.execute(statement)
    return _commit_and_read(session, post)


def delete_post(*, session: Session, post: Post) -> None:
    """Delete a post; its comments go with it."""
    session.delete(post)
    session.commit()
