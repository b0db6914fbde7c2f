"""The migrations: in step with the models, reversible, and kind to data.

Each test runs them on an empty database of its own (the `scratch` fixture),
never on the one the other tests share.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, create_engine, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.auth.models import AuthSession, PasswordResetToken, RefreshToken
from app.cli import alembic_config
from app.comments.models import Comment
from app.database import utc_now
from app.models import Base
from app.posts.models import Post
from app.tags.models import Tag
from app.throttle.models import LoginFailure
from app.users.models import User

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# A stand-in for the project's next revision, as autogenerate writes one for a
# new nullable column.
# Its downgrade copies the users table (batch mode).
NEXT_REVISION = '''"""add nickname to users"""

import sqlalchemy as sa
from alembic import op

revision = "0123456789ab"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("nickname")
'''


def alembic_on(url: URL, migrations: Path = MIGRATIONS) -> Config:
    """The project's alembic configuration, pointed at another database."""
    config = alembic_config()
    config.set_main_option("script_location", str(migrations))
    config.attributes.update(url=url, configure_logger=False)
    return config


def alembic(action: Callable[..., Any], config: Config, *args: str) -> None:
    """Run an alembic command, as `alembic <action> <args>` would."""
    action(config, *args)


def on(url: URL, work: Callable[[Connection], T]) -> T:
    """Run `work` on a connection to `url`, and commit."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            return work(connection)
    finally:
        engine.dispose()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def schema_objects(connection: Connection) -> set[str]:
    """The names of the tables, views and sequences."""
    found = inspect(connection)
    names = {*found.get_table_names(), *found.get_view_names()}
    if connection.dialect.supports_sequences:
        names.update(found.get_sequence_names())
    return names


def index_and_check_definitions(connection: Connection) -> set[tuple[str, ...]]:
    """Indexes and CHECK constraints, as the database itself writes them.

    `alembic check` compares neither index WHERE clauses nor CHECK constraints.
    """
    query = (
        "SELECT tbl_name, name, sql FROM sqlite_master"
        " WHERE type = 'index' AND sql IS NOT NULL"
    )
    found: set[tuple[str, ...]] = {
        tuple(row)
        for row in connection.exec_driver_sql(query)
        if row[0] != "alembic_version"
    }
    found.update(
        (table, str(check["name"]), check["sqltext"])
        for table in Base.metadata.tables
        for check in inspect(connection).get_check_constraints(table)
    )
    return found


def write_rows(connection: Connection) -> None:
    """A row in each table, children included."""
    author = User(name="Ada", email="ada@example.com", password_hash="not-a-hash")
    post = Post(title="First", body="Hello.", author=author, tags=[Tag(name="news")])
    with Session(bind=connection) as session:
        session.add(Comment(body="Welcome.", post=post, author=author))
        session.add(
            LoginFailure(
                key="account:ada@example.com", failures=1, window_start=utc_now()
            )
        )
        session.flush()
        signed_in = AuthSession(id="a" * 32, user_id=author.id)
        session.add(signed_in)
        session.flush()
        expires_at = utc_now() + timedelta(days=1)
        session.add_all(
            [
                RefreshToken(
                    session_id=signed_in.id, digest="0" * 64, expires_at=expires_at
                ),
                PasswordResetToken(
                    user_id=author.id, digest="1" * 64, expires_at=expires_at
                ),
            ]
        )
        session.flush()


def all_rows(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table.name: [
            tuple(row)
            for row in connection.execute(
                select(table).order_by(*table.primary_key.columns)
            )
        ]
        for table in Base.metadata.sorted_tables
    }


def test_upgrade_check_downgrade_upgrade_on_an_empty_database(
    scratch: URL,
) -> None:
    config = alembic_on(scratch)
    everything = {*Base.metadata.tables, "alembic_version"}

    alembic(command.upgrade, config, "head")
    assert on(scratch, table_names) == everything
    # Raises AutogenerateDiffsDetected, listing the differences, on any drift.
    alembic(command.check, config)

    alembic(command.downgrade, config, "base")
    assert on(scratch, schema_objects) == {"alembic_version"}

    alembic(command.upgrade, config, "head")
    assert on(scratch, table_names) == everything


def test_migrations_build_the_indexes_and_checks_the_models_declare(
    scratch: URL,
) -> None:
    on(scratch, Base.metadata.create_all)
    declared = on(scratch, index_and_check_definitions)
    on(scratch, Base.metadata.drop_all)

    alembic(command.upgrade, alembic_on(scratch), "head")

    assert on(scratch, index_and_check_definitions) == declared


def test_rows_survive_a_downgrade_and_upgrade_of_the_latest_revision(
    scratch: URL, tmp_path: Path
) -> None:
    """Rows written at head survive `downgrade -1` then `upgrade head`.

    The latest revision of a fresh project is the initial one: its downgrade
    drops every table, rows included, which is what it is for. So the test
    adds a revision of its own on top, shaped like a project's next one (a
    nullable column on users), and checks that no row and no index is lost.
    """
    # That is where data is at risk: batch mode copies the users table to drop
    # the column, and with foreign keys enforced dropping the old table would
    # delete every post and comment.
    migrations = tmp_path / "migrations"
    shutil.copytree(
        MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = ScriptDirectory.from_config(alembic_on(scratch)).get_current_head()
    (migrations / "versions" / "next_revision.py").write_text(
        NEXT_REVISION.format(head=head), encoding="utf-8"
    )
    config = alembic_on(scratch, migrations)
    alembic(command.upgrade, config, "head")
    on(scratch, write_rows)
    written = on(scratch, all_rows)
    indexes = on(scratch, index_and_check_definitions)
    assert all(written.values()), "give every table a row in write_rows()"

    alembic(command.downgrade, config, "-1")
    assert on(scratch, all_rows) == written
    alembic(command.upgrade, config, "head")

    assert on(scratch, all_rows) == written
    assert on(scratch, index_and_check_definitions) == indexes
