"""The Post model: many-to-one to its author, many-to-many to tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, TimestampMixin
from app.deletion import DeletionMixin  # only: soft
from app.tags.models import Tag, post_tags

if TYPE_CHECKING:
    from app.comments.models import Comment
    from app.users.models import User


class Post(
    DeletionMixin,  # only: soft
    TimestampMixin,
    Base,
):
    __tablename__ = "posts"
    __soft_delete_cascade__ = ("comments",)  # only: soft
    # The keyset of the posts list: newest first, ties broken by id.
    __table_args__ = (Index("ix_posts_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    author: Mapped[User] = relationship(back_populates="posts", lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags, lazy="raise", order_by=Tag.name, passive_deletes=True
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="post",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"Post(id={self.id!r}, title={self.title!r})"
