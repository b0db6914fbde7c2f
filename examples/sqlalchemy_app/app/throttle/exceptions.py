"""Throttle errors."""

from __future__ import annotations

from fastapi import status

from app.errors import AppError, error_response
from app.schemas import Responses


class TooManyLoginsError(AppError):
    """429, with Retry-After: the seconds until the window has passed."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    detail = "Too many failed logins; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.headers = {"Retry-After": str(retry_after)}


TOO_MANY_LOGINS: Responses = {
    status.HTTP_429_TOO_MANY_REQUESTS: error_response(
        "Too many failed logins for this account, or from this address"
    )
    | {
        "headers": {
            "Retry-After": {
                "description": "Seconds until logins are taken again",
                "schema": {"type": "integer"},
            }
        }
    }
}
