"""Sign-in sessions: login, refresh with rotation, logout, signing out everywhere.

A login starts a session: a row whose id is the `sid` claim of every access
token issued for it, with a family of single-use refresh tokens. Each request
checks that its session stands, so the database is the one record of who is
signed in, for every worker and across restarts.

A refresh token is used once: the refresh that uses it marks it used and issues
the next. A used token that comes back has been copied, by a thief or
from a thief: the whole session ends, the newest token included (refresh
token rotation, OAuth 2.0 Security Best Current Practice).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.auth.models import AuthSession, PasswordResetToken, RefreshToken
from app.auth.schemas import Token
from app.auth.security import AccessClaims, create_access_token, digest, new_token
from app.config import settings
from app.database import utc_now
from app.users.models import User


def _add_refresh_token(session: Session, session_id: str, now: datetime) -> str:
    token = new_token()
    session.add(
        RefreshToken(
            session_id=session_id,
            digest=digest(token),
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    return token


def _token_pair(user_id: int, session_id: str, refresh_token: str) -> Token:
    return Token(
        access_token=create_access_token(user_id, session_id),
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh_token,
    )


def start_session(*, session: Session, user: User) -> Token:
    """Sign the user in: a new session and its first tokens. Commits."""
    now = utc_now()
    auth_session = AuthSession(id=secrets.token_hex(16), user_id=user.id)
    session.add(auth_session)
    # The session row first: the token refers to it.
    session.flush()
    refresh_token = _add_refresh_token(session, auth_session.id, now)
    session.commit()
    return _token_pair(user.id, auth_session.id, refresh_token)


def refresh_session(*, session: Session, refresh_token: str) -> Token | None:
    """New tokens for a live refresh token, which is retired; None for any other.

    The token is retired by one conditional UPDATE: of two refreshes with the
    same token at once, one retires it and the other finds it retired, which
    counts as a reuse and ends the session.
    """
    now = utc_now()
    token_digest = digest(refresh_token)
    session_id = session.scalar(
        update(RefreshToken)
        .where(
            RefreshToken.digest == token_digest,
            RefreshToken.used_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.session_id)
        .execution_options(synchronize_session=False)
    )
    if session_id is None:
        _end_session_of_reused(session, token_digest, now)
        return None
    user_id = session.scalar(
        select(User.id)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.id == session_id, AuthSession.ended_at.is_(None))
    )
    if user_id is None:
        # The session has ended, or its user is gone: the token stays retired.
        session.commit()
        return None
    new_refresh_token = _add_refresh_token(session, session_id, now)
    session.commit()
    return _token_pair(user_id, session_id, new_refresh_token)


def _end_session_of_reused(session: Session, token_digest: str, now: datetime) -> None:
    """End the session of a refresh token that was used before, if it was."""
    reused = (
        select(RefreshToken.session_id)
        .where(RefreshToken.digest == token_digest, RefreshToken.used_at.is_not(None))
        .scalar_subquery()
    )
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == reused, AuthSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def end_session(*, session: Session, session_id: str) -> None:
    """Sign out: the session's access and refresh tokens stop working. Commits."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.ended_at.is_(None))
        .values(ended_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    session.commit()


def end_all_sessions(*, session: Session, user_id: int) -> None:
    """End every session of the user and drop their password reset tokens,
    for a new password or a deleted account. Does not commit: the caller's
    change and this one are one transaction."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
        .values(ended_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.user_id == user_id)
    )


def signed_in_user(*, session: Session, claims: AccessClaims) -> User | None:
    """The user of an access token's claims, while its session stands."""
    return session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            User.id == claims.user_id,
            AuthSession.id == claims.session_id,
            AuthSession.ended_at.is_(None),
        )
    )
