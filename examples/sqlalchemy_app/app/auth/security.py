"""Password hashing (Argon2), access tokens (JWT) and opaque tokens. No I/O."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache
from typing import NamedTuple

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


class AccessClaims(NamedTuple):
    user_id: int
    session_id: str


def create_access_token(user_id: int, session_id: str) -> str:
    """A signed token for this user and sign-in session (`sid`), valid for
    ACCESS_TOKEN_MINUTES. Each request checks that the session still stands."""
    now = utc_now()
    claims = {
        "sub": str(user_id),
        "sid": session_id,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def read_access_token(token: str) -> AccessClaims | None:
    """The claims of a valid token, or None for any bad, expired or forged one."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            # Only the configured algorithm: never "none", never another family.
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub", "sid"]},
        )
        user_id = int(claims["sub"])
        session_id = claims["sid"]
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not 0 < user_id < 2**31 or not isinstance(session_id, str):
        return None
    return AccessClaims(user_id, session_id)


def new_token() -> str:
    """An opaque random token (256 bits), for refresh and password reset."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the database keeps of an opaque token.

    A fast hash is enough, unlike for passwords: the token is random and
    256 bits long, so there is nothing to guess.
    """
    return hashlib.sha256(token.encode()).hexdigest()
