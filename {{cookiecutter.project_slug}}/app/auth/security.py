"""Password hashing (Argon2) and access tokens (JWT). No I/O."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash

from app.config import settings
from app.database import utc_now

password_hash = PasswordHash.recommended()


@cache
def dummy_hash(hasher: PasswordHash) -> str:
    """A hash made by `hasher`, with its cost, to verify against when the email
    is unknown: a miss then costs the same hashing work as a wrong password,
    and the response time does not tell which emails exist."""
    return hasher.hash("not-a-real-password-just-for-timing")


def hash_password(password: str) -> str:
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    if hashed is None:
        password_hash.verify(password, dummy_hash(password_hash))
        return False
    return password_hash.verify(password, hashed)


def create_access_token(user_id: int) -> str:
    now = utc_now()
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def read_access_token(token: str) -> int | None:
    """The user id in a valid token, or None for any bad, expired or forged one."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            # Only the configured algorithm: never "none", never another family.
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    return user_id if 0 < user_id < 2**31 else None
