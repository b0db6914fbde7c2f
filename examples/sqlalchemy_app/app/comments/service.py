"""Comment use cases. Each write commits its own transaction before returning.

They return the `Comment` rows they read or wrote; a route declares the schema
it answers with (`response_model`), and FastAPI reads it from the row.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.comments.models import Comment
from app.comments.schemas import CommentCreate, CommentPage
from app.pagination import keyset_page, next_cursor
from app.posts.models import Post
from app.users.models import User


def create_comment(
    *, session: Session, post: Post, author: User, data: CommentCreate
) -> Comment:
    comment = Comment(body=data.body, post=post, author=author)
    session.add(comment)
    session.commit()
    return comment


def list_comments(
    *, session: Session, post: Post, limit: int, cursor: str | None
) -> CommentPage:
    """A post's comments, oldest first, by keyset on (created_at, id)."""
    statement = keyset_page(
        select(Comment)
        .where(Comment.post_id == post.id)
        .options(joinedload(Comment.author)),
        created_at=Comment.created_at,
        id_column=Comment.id,
        cursor=cursor,
        limit=limit,
        newest_first=False,
    )
    comments = list(session.scalars(statement))
    following = next_cursor(comments, limit)
    return CommentPage.model_validate({"items": comments, "next_cursor": following})


def get_comment_to_delete(*, session: Session, comment_id: int) -> Comment | None:
    """A comment with its post (for the post author's right to delete it).

    The comment's row stays locked until the transaction ends, so that a
    second delete of it waits and then finds it gone.
    """
    return session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(joinedload(Comment.post))
        .with_for_update(of=Comment, key_share=True)
    )


def delete_comment(*, session: Session, comment: Comment) -> None:
    session.delete(comment)
    session.commit()
