# unasync: generated from conftest.py by scripts/unasync.py. Do not edit:
# unasync: edit conftest.py, then run `python scripts/unasync.py`.
"""Fixtures: a real database, each test inside a transaction that is rolled back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from tests import environment

# isort: split
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.auth import security
from app.auth.security import create_access_token
from app.database import Base, get_session
from app.database import engine as app_engine
from app.main import app
from app.users import service as users
from app.users.models import User
from app.users.schemas import UserCreate

PASSWORD = "correct horse battery"
# Argon2 with its production cost takes ~50 ms a hash; tests need not pay it.
security.password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),))


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The app's own engine, on a fresh schema in the test database."""
    if environment.server is not None:
        environment.server.start()
    try:
        with app_engine.begin() as connection:
            Base.metadata.drop_all(connection)
            Base.metadata.create_all(connection)
        yield app_engine
        app_engine.dispose()
    finally:
        if environment.server is not None:
            environment.server.stop()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test.

    The outer transaction is never committed; the app's own commits become
    savepoints inside it (join_transaction_mode="create_savepoint").
    """
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """An HTTP client for the app, whose requests use the test's session."""

    def same_session() -> Session:
        # Like a fresh per-request session: nothing cached from earlier requests.
        session.expunge_all()
        return session

    app.dependency_overrides[get_session] = same_session
    client = TestClient(app, base_url="http://test")
    try:
        yield client
    finally:
        client.close()
        app.dependency_overrides.clear()


UserFactory = Callable[..., User]
_numbers = count(1)


@pytest.fixture
def user_factory(session: Session) -> UserFactory:
    """Make users: `user_factory(name="Ada", is_superuser=True)`."""

    def make(
        *, name: str | None = None, email: str | None = None, is_superuser: bool = False
    ) -> User:
        number = next(_numbers)
        data = UserCreate(
            name=name or f"User {number}",
            email=email or f"user{number}@example.com",
            password=PASSWORD,
        )
        return users.create_user(session=session, data=data, is_superuser=is_superuser)

    return make


@pytest.fixture
def user(user_factory: UserFactory) -> User:
    return user_factory(name="Ada Lovelace", email="ada@example.com")


@pytest.fixture
def superuser(user_factory: UserFactory) -> User:
    return user_factory(name="Root", email="root@example.com", is_superuser=True)


def headers_for(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_access_token(user.id)}"}


@pytest.fixture
def auth_headers(user: User) -> dict[str, str]:
    return headers_for(user)
