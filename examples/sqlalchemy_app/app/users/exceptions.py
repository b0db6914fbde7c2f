"""User errors."""

from __future__ import annotations

from app.errors import AppError, ConflictError, ForbiddenError, NotFoundError


class UserNotFoundError(NotFoundError):
    detail = "User not found"


class EmailTakenError(ConflictError):
    detail = "Email already registered"


class NotYourAccountError(ForbiddenError):
    detail = "Only the user themself or a superuser may do this"


class CurrentPasswordRequiredError(AppError):
    detail = "current_password is required to change your email"


class WrongPasswordError(AppError):
    detail = "The current password is wrong"
