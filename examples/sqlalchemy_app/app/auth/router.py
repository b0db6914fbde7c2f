"""`/auth`: login (the OAuth2 password flow), refresh, logout, password reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, status
from pydantic import AfterValidator

from app.auth import reset, service, sessions
from app.auth.dependencies import SignedIn
from app.auth.exceptions import InvalidResetTokenError, NotAuthenticatedError
from app.auth.schemas import (
    Accepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    Token,
)
from app.database import SessionDep
from app.errors import MALFORMED_BODY, error_response
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
BAD_REFRESH_TOKEN: Responses = {
    status.HTTP_401_UNAUTHORIZED: {
        "description": "Unknown, expired, used or signed-out refresh token"
    }
}
NOT_SIGNED_IN: Responses = {
    status.HTTP_401_UNAUTHORIZED: {"description": "Missing or bad token"}
}
BAD_RESET_TOKEN: Responses = {
    status.HTTP_400_BAD_REQUEST: error_response(
        "Unknown, used or expired token, or the body cannot be decoded"
    )
}
RESET_ASKED = Accepted(
    detail="If an account has this email, a message is on its way to it."
)


@router.post("/token", responses=WRONG_CREDENTIALS | TOO_MANY_LOGINS | MALFORMED_BODY)
def login(
    session: SessionDep, address: ClientAddress, username: Username, password: Password
) -> Token:
    """Trade an email (`username`) and password for an access and a refresh token.

    Too many failures for the account, or from the address, and logins are
    refused for a while (429, with Retry-After), even with the right password.
    """
    attempt = throttle.check(session=session, email=username, address=address)
    user = service.authenticate(session=session, email=username, password=password)
    if user is None:
        throttle.record_failure(session=session, attempt=attempt)
        raise NotAuthenticatedError("Incorrect email or password")
    throttle.record_success(session=session, attempt=attempt)
    return sessions.start_session(session=session, user=user)


@router.post("/refresh", responses=BAD_REFRESH_TOKEN | MALFORMED_BODY)
def refresh(session: SessionDep, data: RefreshRequest) -> Token:
    """Trade a refresh token for new tokens. Each refresh token works once:
    using one again signs its session out."""
    token = sessions.refresh_session(session=session, refresh_token=data.refresh_token)
    if token is None:
        raise NotAuthenticatedError("Invalid or expired refresh token")
    return token


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_SIGNED_IN)
def logout(session: SessionDep, signed_in: SignedIn) -> None:
    """Sign out: this session's access and refresh tokens stop working."""
    sessions.end_session(session=session, session_id=signed_in.session_id)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    responses=MALFORMED_BODY,
)
def ask_for_password_reset(
    data: PasswordResetRequest, background: BackgroundTasks
) -> Accepted:
    """Mail a reset token to this email, if an account has it. The answer is
    the same either way."""
    background.add_task(reset.send_reset_email, data.email)
    return RESET_ASKED


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=MALFORMED_BODY | BAD_RESET_TOKEN,
)
def reset_password(session: SessionDep, data: PasswordResetConfirm) -> None:
    """Set a new password with a mailed token; every session of the account ends."""
    done = reset.reset_password(
        session=session, token=data.token, new_password=data.new_password
    )
    if not done:
        raise InvalidResetTokenError
