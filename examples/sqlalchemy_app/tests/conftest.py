"""Fixtures: a real database, each test inside a transaction that is rolled back."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from tests import environment

# isort: split
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import URL, Connection, Engine, QueuePool, event
from sqlalchemy.orm import Session

from app.auth import security
from app.auth.sessions import start_session
from app.cli import alembic_config
from app.database import Base, get_session
from app.database import engine as app_engine
from app.main import app
from app.posts import service as posts
from app.posts.schemas import PostCreate, PostRead
from app.users import service as users
from app.users.models import User
from app.users.schemas import UserCreate

PASSWORD = "correct horse battery"
# Argon2 with its production cost takes ~50 ms a hash; tests need not pay it.
security.password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),))


def migrate(connection: Connection) -> None:
    """`alembic upgrade head` on this connection: the schema production gets.

    tests/test_migrations.py checks that the migrations match the models.
    """
    config = alembic_config()
    config.attributes.update(connection=connection, configure_logger=False)
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The app's own engine, on a fresh schema built by the migrations."""
    with environment.database():
        with app_engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            migrate(connection)
        yield app_engine
        app_engine.dispose()


@pytest.fixture
def scratch(tmp_path: Path) -> URL:
    """The URL of an empty database for this test alone: a file of its own."""
    return environment.url.set(database=str(tmp_path / "scratch.db"))


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

    def same_session() -> Iterator[Session]:
        # Like a fresh per-request session (app/database.py get_session): nothing
        # cached from earlier requests, and rolled back when the request fails.
        session.expunge_all()
        try:
            yield session
        except Exception:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = same_session
    client = TestClient(app, base_url="http://test")
    try:
        yield client
    finally:
        client.close()
        app.dependency_overrides.clear()


UserFactory = Callable[..., User]
_numbers = count(1)
# The access token of each user the factory made, by id (see headers_for).
_access_tokens: dict[int, str] = {}


@pytest.fixture
def user_factory(session: Session) -> UserFactory:
    """Make users: `user_factory(name="Ada", is_superuser=True)`.

    Each is signed in, as a login would: `headers_for(user)` carries the token.
    """

    def make(
        *, name: str | None = None, email: str | None = None, is_superuser: bool = False
    ) -> User:
        number = next(_numbers)
        data = UserCreate(
            name=name or f"User {number}",
            email=email or f"user{number}@example.com",
            password=PASSWORD,
        )
        user = users.create_user(session=session, data=data, is_superuser=is_superuser)
        token = start_session(session=session, user=user)
        _access_tokens[user.id] = token.access_token
        return user

    return make


@pytest.fixture
def user(user_factory: UserFactory) -> User:
    return user_factory(name="Ada Lovelace", email="ada@example.com")


@pytest.fixture
def superuser(user_factory: UserFactory) -> User:
    return user_factory(name="Root", email="root@example.com", is_superuser=True)


def headers_for(user: User) -> dict[str, str]:
    """The authorization headers of a user made by `user_factory`."""
    return {"Authorization": f"Bearer {_access_tokens[user.id]}"}


@pytest.fixture
def auth_headers(user: User) -> dict[str, str]:
    return headers_for(user)


PostFactory = Callable[..., PostRead]


@pytest.fixture
def post_factory(session: Session, user: User) -> PostFactory:
    """Make posts: `post_factory(title="Hi", tags=["a"], author=someone)`."""

    def make(
        *,
        author: User | None = None,
        title: str | None = None,
        body: str = "Some text.",
        tags: list[str] | None = None,
    ) -> PostRead:
        data = PostCreate(
            title=title or f"Post {next(_numbers)}", body=body, tags=tags or []
        )
        return posts.create_post(session=session, author=author or user, data=data)

    return make


class QueryLog:
    """The SQL statements sent to the database while it is recording."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine: Engine) -> Callable[[], Any]:
    """`with count_queries() as log: ...; len(log)`: statements sent, via engine events."""
    target = engine

    @contextmanager
    def recording() -> Iterator[QueryLog]:
        log = QueryLog()

        def record(*args: Any) -> None:
            statement = args[2]
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
                log.statements.append(statement)

        event.listen(target, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(target, "before_cursor_execute", record)

    return recording


@pytest.fixture
def committed_client(engine: Engine) -> Iterator[TestClient]:
    """A client whose requests run as in production: each in its own session
    and connection, committing for real. The rows are deleted afterwards.

    For what the rolled-back `session` cannot show: races between
    connections, a failing COMMIT, an outage. Server errors come back as 500
    responses, as a real client would see them.
    """
    client = TestClient(app, base_url="http://test", raise_server_exceptions=False)
    try:
        yield client
    finally:
        client.close()
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


T = TypeVar("T")


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run the calls at the same time; their results, in order.

    With `committed_client`, each request gets its own session and connection.
    """
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def connections_in_use(engine: Engine) -> int:
    """Connections checked out of the engine's pool (and not returned yet)."""
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()
