"""Checking credentials."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.security import verify_password
from app.users.models import User
from app.users.schemas import normalise_email


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None.

    An unknown email costs the same hashing work as a wrong password.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    hashed = user.password_hash if user else None
    # End the read before the slow check: no lock nor pooled connection is
    # held meanwhile.
    session.commit()
    valid = verify_password(password, hashed)
    return user if valid else None
