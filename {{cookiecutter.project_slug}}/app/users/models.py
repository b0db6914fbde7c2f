"""The User model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, TimestampMixin
from app.deletion import DeletionMixin  # only: soft

if TYPE_CHECKING:
    from app.comments.models import Comment
    from app.posts.models import Post


class User(
    DeletionMixin,  # only: soft
    TimestampMixin,
    Base,
):
    __tablename__ = "users"
    __soft_delete_cascade__ = ("posts", "comments")  # only: soft

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_superuser: Mapped[bool] = mapped_column(default=False, server_default=false())

    # lazy="raise": loading these by accident inside a request is a bug (N+1),
    # so it fails loudly; load them with selectinload when they are needed.
    posts: Mapped[list[Post]] = relationship(
        back_populates="author",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="author",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"


# Emails are unique. They are stored normalised (app/users/schemas.py), so two
# spellings of one address, in any case, are one value here.
# only: soft
# A deleted user gives up their email: only rows that are not deleted count.
# end: soft
Index(
    "uq_users_email",
    User.email,
    unique=True,
    # only: soft
    postgresql_where=User.deleted_at.is_(None),  # only: postgresql
    sqlite_where=User.deleted_at.is_(None),  # only: sqlite
    # end: soft
)
