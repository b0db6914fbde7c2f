"""Password reset by email: a single-use token, stored as its digest.

Asking for a reset answers at once, the same for any email: the lookup, the
token and the mail all happen after the response (`send_reset_email`, a
background task), so neither the answer nor its timing tells whether an
account exists, and a slow mail server delays nobody.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import mail
from app.auth.models import PasswordResetToken
from app.auth.security import digest, hash_password, new_token
from app.auth.sessions import end_all_sessions
from app.config import settings
from app.database import SessionLocal, utc_now
from app.users.models import User

logger = logging.getLogger(__name__)

SUBJECT = "Reset your password"
BODY = """Someone, probably you, asked to reset the password of your account.

To choose a new password, send this token with it, within {minutes} minutes,
to POST /api/v1/auth/password-reset/confirm:

{token}

If you did not ask for this, ignore this message: your password stays as it is.
"""


def issue_reset_token(*, session: Session, email: str) -> str | None:
    """A new reset token for the live account with this email, or None. Commits."""
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        return None
    # End the read before writing: a transaction that begins with a write
    # waits its turn for the write lock, one that read first cannot.
    session.commit()
    token = new_token()
    session.add(
        PasswordResetToken(
            user_id=user.id,
            digest=digest(token),
            expires_at=utc_now() + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    session.commit()
    return token


def send_reset_email(email: str) -> None:
    """Mail a reset token to the account with this email, if there is one.

    A background task: it runs after the response, in a session of its own.
    """
    with SessionLocal() as session:
        token = issue_reset_token(session=session, email=email)
    if token is None:
        logger.info("Password reset asked for an email with no account")
        return
    body = BODY.format(minutes=settings.password_reset_minutes, token=token)
    message = mail.message(to=email, subject=SUBJECT, body=body)
    mail.send(message)


def reset_password(*, session: Session, token: str, new_password: str) -> bool:
    """Set a new password with a reset token; False for a bad, used or expired one.

    The token is used up by one DELETE, so two uses at once cannot both
    succeed. Every other reset token of the user goes too, and every session
    ends: whoever held the old password is signed out. Commits.
    """
    # Hash before touching the database, so that the transaction stays short.
    # A write request holds SQLite's write lock from its first statement.
    hashed = hash_password(new_password)
    user_id = session.scalar(
        delete(PasswordResetToken)
        .where(
            PasswordResetToken.digest == digest(token),
            PasswordResetToken.expires_at > utc_now(),
        )
        .returning(PasswordResetToken.user_id)
    )
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return False
    user.password_hash = hashed
    end_all_sessions(session=session, user_id=user.id)
    session.commit()
    return True
