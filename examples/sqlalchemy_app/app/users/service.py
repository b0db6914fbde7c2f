"""User use cases. Each write commits its own transaction before returning.

They return the `User` rows they read or wrote; a route declares the schema
it answers with (`response_model`), and FastAPI reads it from the row.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.security import hash_password, verify_password
from app.auth.sessions import end_all_sessions
from app.deletion import INCLUDE_DELETED, restore_statements
from app.posts.models import Post
from app.search import matches
from app.users.constraints import EMAIL_INDEX, violates
from app.users.exceptions import (
    CurrentPasswordRequiredError,
    EmailTakenError,
    UserNotFoundError,
    WrongPasswordError,
)
from app.users.models import User
from app.users.schemas import (
    PasswordChange,
    UserCreate,
    UserPage,
    UserPublicPage,
    UserUpdate,
)


def _commit_or_conflict(session: Session) -> None:
    """Commit; a clash on the email index (say, a racing sign-up) is a 409."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if violates(error, EMAIL_INDEX):
            raise EmailTakenError from None
        raise


def _email_in_use(
    session: Session, email: str, *, other_than: int | None = None
) -> bool:
    # Emails are stored normalised (app/users/schemas.py): compare them as they are.
    statement = select(User.id).where(User.email == email)
    if other_than is not None:
        statement = statement.where(User.id != other_than)
    return session.scalar(statement.limit(1)) is not None


def create_user(
    *, session: Session, data: UserCreate, is_superuser: bool = False
) -> User:
    """Register a user. Raises EmailTakenError if the email is in use."""
    # Hash before touching the database, so that the transaction stays short.
    # A write request holds SQLite's write lock from its first statement.
    hashed = hash_password(data.password)
    if _email_in_use(session, data.email):
        raise EmailTakenError
    user = User(
        name=data.name,
        email=data.email,
        password_hash=hashed,
        is_superuser=is_superuser,
    )
    session.add(user)
    # The check above gives the friendly answer; the unique index settles races.
    _commit_or_conflict(session)
    return user


def get_user(*, session: Session, user_id: int, lock: bool = False) -> User | None:
    """The user, or None. With `lock`, the row stays locked until the request's
    transaction ends, for a request that changes or deletes the user: two of
    them take turns, the second seeing what the first committed. The lock
    leaves the key alone, so rows that only refer to the user need not wait
    (app/posts/service.py `get_post`).
    """
    return session.get(
        User,
        user_id,
        with_for_update={"key_share": True} if lock else None,
        populate_existing=lock,
    )


def list_users(
    *,
    session: Session,
    q: str | None,
    limit: int,
    offset: int,
    for_superuser: bool = False,
) -> UserPage | UserPublicPage:
    """A page of users, oldest first, with the total that match `q`.

    Emails are private: only a superuser's page shows them, and only a
    superuser's `q` searches them (anyone else could find who is at a domain).
    """
    statement = select(User)
    if q:
        searched = (User.name, User.email) if for_superuser else (User.name,)
        statement = statement.where(matches(q, *searched))
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    users = session.scalars(statement.order_by(User.id).limit(limit).offset(offset))
    page = UserPage if for_superuser else UserPublicPage
    return page.model_validate(
        {"items": users.all(), "total": total or 0, "limit": limit, "offset": offset}
    )


def _check_password_between_transactions(
    session: Session, user: User, password: str | None
) -> None:
    """Check `password` against the user's, with no transaction open, then read
    the user again, locked, in the transaction that writes.

    CurrentPasswordRequiredError without a password, WrongPasswordError for a
    wrong one, or when the password was changed meanwhile.
    """
    if password is None:
        raise CurrentPasswordRequiredError
    hashed = user.password_hash
    session.commit()
    valid = verify_password(password, hashed)
    if get_user(session=session, user_id=user.id, lock=True) is None:
        raise UserNotFoundError
    if not valid or user.password_hash != hashed:
        raise WrongPasswordError


def update_user(
    *, session: Session, user: User, data: UserUpdate, caller: User
) -> User:
    """Apply a partial update made by `caller` (the user, or a superuser).

    Users changing their own email prove it is them with `current_password`
    (CurrentPasswordRequiredError, WrongPasswordError); a superuser changing
    someone else's does not. Raises EmailTakenError on a clashing email.
    """
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    current_password = changes.pop("current_password", None)
    if caller.id == user.id and changes.get("email", user.email) != user.email:
        _check_password_between_transactions(session, user, current_password)
    if "email" in changes and _email_in_use(
        session, changes["email"], other_than=user.id
    ):
        raise EmailTakenError
    for field, value in changes.items():
        setattr(user, field, value)
    _commit_or_conflict(session)
    return user


def change_password(*, session: Session, user: User, data: PasswordChange) -> None:
    """Set a new password, given the current one (else WrongPasswordError).

    Every session of the user ends, the caller's too: each token issued
    before the change stops working.

    The request's transaction has already read the user: it ends before the
    password is checked and hashed, so that no lock (nor pooled connection)
    is held meanwhile. The user is then read again, locked, in the
    transaction that writes: deleted since is UserNotFoundError, and a
    password changed since is WrongPasswordError.
    """
    known_hash = user.password_hash
    session.commit()
    valid = verify_password(data.current_password, known_hash)
    if not valid:
        raise WrongPasswordError
    hashed = hash_password(data.new_password)
    fresh = get_user(session=session, user_id=user.id, lock=True)
    if fresh is None:
        raise UserNotFoundError
    if fresh.password_hash != known_hash:
        raise WrongPasswordError
    fresh.password_hash = hashed
    end_all_sessions(session=session, user_id=fresh.id)
    session.commit()


def get_user_including_deleted(*, session: Session, user_id: int) -> User | None:
    """The user, deleted or not, locked like `get_user(lock=True)`."""
    return session.get(
        User,
        user_id,
        execution_options={INCLUDE_DELETED: True},
        with_for_update={"key_share": True},
        populate_existing=True,
    )


def restore_user(*, session: Session, user: User) -> User:
    """Bring back a deleted user with the posts and comments deleted with them.

    Rows they deleted on their own, earlier, stay deleted; restoring a user who
    is not deleted changes nothing. EmailTakenError if another user has taken
    their email since.
    """
    if user.deleted_at is None:
        return user
    try:
        for statement in restore_statements(user):
            session.execute(statement)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if violates(error, EMAIL_INDEX):
            raise EmailTakenError(
                "Email already registered by another user; cannot restore"
            ) from None
        raise
    session.refresh(user)
    return user


def delete_user(*, session: Session, user: User) -> None:
    """Delete a user; their posts and comments go with them, in one transaction."""
    # Take their posts first, as every writer does (post, then what it refers
    # to): a comment being added holds its post, then refers to its author, so
    # taking the author's row first could leave the two waiting for each other.
    own_posts = select(Post.id).where(Post.author_id == user.id)
    session.execute(own_posts.with_for_update(key_share=True))
    session.delete(user)
    # Their tokens stop working, and a restore does not bring them back.
    end_all_sessions(session=session, user_id=user.id)
    session.commit()
