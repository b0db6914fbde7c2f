# unasync: generated from router.py by scripts/unasync.py. Do not edit:
# unasync: edit router.py, then run `python scripts/unasync.py`.
"""`POST /auth/token`: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, status
from pydantic import AfterValidator

from app.auth import service
from app.auth.exceptions import NotAuthenticatedError
from app.auth.schemas import Token
from app.auth.security import create_access_token
from app.database import (
    ReadsOnly,  # only: sqlite
    SessionDep,
)
from app.errors import MALFORMED_BODY
from app.schemas import Responses, no_nul
from app.throttle import service as throttle
from app.throttle.dependencies import ClientAddress
from app.throttle.exceptions import TOO_MANY_LOGINS

router = APIRouter(prefix="/auth", tags=["auth"])

# The OAuth2 password form (the fields of OAuth2PasswordRequestForm that are
# used), bounded like the sign-up fields: a NUL or a megabyte is a 422, not a
# database error or a long hash.
Username = Annotated[
    str, Form(max_length=320, description="Your email"), AfterValidator(no_nul)
]
Password = Annotated[str, Form(max_length=128), AfterValidator(no_nul)]
WRONG_CREDENTIALS: Responses = {
    status.HTTP_401_UNAUTHORIZED: {"description": "Wrong credentials"}
}


@router.post(
    "/token",
    responses=WRONG_CREDENTIALS | TOO_MANY_LOGINS | MALFORMED_BODY,
    # only: sqlite
    # Logging in reads: no write lock is held while the password is checked,
    # so writers do not queue behind logins. What came of it is written after,
    # in a short transaction of its own (app/throttle/service.py).
    dependencies=[ReadsOnly],
    # end: sqlite
)
def login(
    session: SessionDep, address: ClientAddress, username: Username, password: Password
) -> Token:
    """Trade an email (`username`) and password for a bearer token.

    Too many failures for the account, or from the address, and logins are
    refused for a while (429, with Retry-After), even with the right password.
    """
    attempt = throttle.check(session=session, email=username, address=address)
    user = service.authenticate(session=session, email=username, password=password)
    if user is None:
        throttle.record_failure(session=session, attempt=attempt)
        raise NotAuthenticatedError("Incorrect email or password")
    throttle.record_success(session=session, attempt=attempt)
    return Token(access_token=create_access_token(user.id))
