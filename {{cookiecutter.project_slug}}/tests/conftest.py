"""Fixtures: a real database, each test inside a transaction that is rolled back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from itertools import count
from typing import Any

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from tests import environment

# isort: split
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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
async def engine() -> AsyncIterator[AsyncEngine]:
    """The app's own engine, on a fresh schema in the test database."""
    if environment.server is not None:
        environment.server.start()
    try:
        async with app_engine.begin() as connection:
            # unasync: Base.metadata.drop_all(connection)
            await connection.run_sync(Base.metadata.drop_all)
            # unasync: Base.metadata.create_all(connection)
            await connection.run_sync(Base.metadata.create_all)
        yield app_engine
        await app_engine.dispose()
    finally:
        if environment.server is not None:
            environment.server.stop()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test.

    The outer transaction is never committed; the app's own commits become
    savepoints inside it (join_transaction_mode="create_savepoint").
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """An HTTP client for the app, whose requests use the test's session."""

    async def same_session() -> AsyncSession:
        # Like a fresh per-request session: nothing cached from earlier requests.
        session.expunge_all()
        return session

    app.dependency_overrides[get_session] = same_session
    # unasync: client = TestClient(app, base_url="http://test")
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
    try:
        yield client
    finally:
        await client.aclose()
        app.dependency_overrides.clear()


# unasync: UserFactory = Callable[..., User]
UserFactory = Callable[..., Coroutine[Any, Any, User]]
_numbers = count(1)


@pytest.fixture
def user_factory(session: AsyncSession) -> UserFactory:
    """Make users: `await user_factory(name="Ada", is_superuser=True)`."""

    async def make(
        *, name: str | None = None, email: str | None = None, is_superuser: bool = False
    ) -> User:
        number = next(_numbers)
        data = UserCreate(
            name=name or f"User {number}",
            email=email or f"user{number}@example.com",
            password=PASSWORD,
        )
        return await users.create_user(
            session=session, data=data, is_superuser=is_superuser
        )

    return make


@pytest.fixture
async def user(user_factory: UserFactory) -> User:
    return await user_factory(name="Ada Lovelace", email="ada@example.com")


@pytest.fixture
async def superuser(user_factory: UserFactory) -> User:
    return await user_factory(name="Root", email="root@example.com", is_superuser=True)


def headers_for(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_access_token(user.id)}"}


@pytest.fixture
def auth_headers(user: User) -> dict[str, str]:
    return headers_for(user)
