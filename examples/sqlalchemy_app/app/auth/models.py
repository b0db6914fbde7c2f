"""Sign-in sessions, their refresh tokens, and password reset tokens.

Tokens are stored as SHA-256 digests, never as they were issued: they are
random and long, so a digest cannot be reversed, and a copy of the database
holds no token that works.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, utc_now

DIGEST_LENGTH = 64  # a SHA-256 digest, in hex


class AuthSession(Base):
    """One sign-in: the family of refresh tokens that a login starts.

    Its id is the `sid` of every access token issued for it, and each request
    checks it, so ending it (logout, a password change, a reuse of a refresh
    token) refuses its tokens at once, in every worker.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        return f"AuthSession(id={self.id!r}, user_id={self.user_id!r})"


class RefreshToken(Base):
    """A refresh token of a session. Each is used once: the refresh that uses
    it sets `used_at` and issues the next one."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        return f"RefreshToken(id={self.id!r}, session_id={self.session_id!r})"


class PasswordResetToken(Base):
    """A password reset token sent by email; deleted when any is used."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    expires_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"PasswordResetToken(id={self.id!r}, user_id={self.user_id!r})"
