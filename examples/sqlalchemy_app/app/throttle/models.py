"""The LoginFailure model: a count of failed logins in a window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base

# "account:" or "address:", then a normalised email (320 at most) or an address.
KEY_LENGTH = 340


class LoginFailure(Base):
    """Failed logins for one key (an account or a client address) since
    `window_start`, the first failure of the current window."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    failures: Mapped[int]
    # Indexed for the prune of windows that have passed (app/throttle/queries.py).
    window_start: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"LoginFailure(key={self.key!r}, failures={self.failures!r})"
