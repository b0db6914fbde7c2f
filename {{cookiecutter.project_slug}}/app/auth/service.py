"""Checking credentials."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.security import verify_password
from app.users.models import User
from app.users.schemas import normalise_email


async def authenticate(
    *, session: AsyncSession, email: str, password: str
) -> User | None:
    """The user with this email and password, or None.

    An unknown email costs the same hashing work as a wrong password.
    """
    user = await session.scalar(
        select(User).where(User.email == normalise_email(email))
    )
    hashed = user.password_hash if user else None
    # End the read before the slow check: no lock nor pooled connection is
    # held meanwhile.
    await session.commit()
    # only: async
    # Argon2 is CPU-bound on purpose: keep it off the event loop.
    # end: async
    # unasync: valid = verify_password(password, hashed)
    valid = await asyncio.to_thread(verify_password, password, hashed)
    return user if valid else None
