"""Every bake's migrations, run as a user runs them: `alembic` in the bake folder.

Each test has an empty database of its own (a SQLite file in a temporary
folder, or a new database on the shared PostgreSQL server), so the bake's own
test suite is never disturbed; the model change is made in a copy of the bake.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from tests.conftest import Bake, explain, run

CLEAN = "No new upgrade operations detected."
# What other tests may leave in a bake folder; not part of the project.
LEFTOVERS = (".venv", ".*_cache", "__pycache__", "*.db", "*.db-*")
# What the user adds to the User model: one nullable column.
NEW_COLUMN = "    bio: Mapped[str | None]\n"
USER_ID = "    id: Mapped[int] = mapped_column(primary_key=True)\n"
INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = %s",
}


class Alembic:
    """`alembic ...` in a project folder, on one database."""

    def __init__(self, bake: Bake, project: Path, url: str) -> None:
        self.project = project
        self.url = url
        self.env = bake.env(DATABASE_URL=url)

    def __call__(self, *args: str) -> tuple[int, str]:
        result = run("alembic", *args, cwd=self.project, env=self.env)
        return result.returncode, explain(result)

    def _sync_url(self) -> str:
        # The template's own environment reads the database with sync drivers.
        url = make_url(self.url)
        driver = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
        return url.set(drivername=driver[url.get_backend_name()]).render_as_string(
            hide_password=False
        )

    def tables(self) -> set[str]:
        engine = create_engine(self._sync_url())
        try:
            with engine.connect() as connection:
                return set(inspect(connection).get_table_names())
        finally:
            engine.dispose()

    def users(self) -> tuple[set[str], set[str]]:
        """The columns and the index names of the users table.

        Index names come from the catalog, which also lists the partial and
        expression indexes that reflection may leave out.
        """
        engine = create_engine(self._sync_url())
        try:
            with engine.connect() as connection:
                columns = {c["name"] for c in inspect(connection).get_columns("users")}
                query = INDEX_NAMES[connection.dialect.name]
                indexes = set(connection.exec_driver_sql(query, ("users",)).scalars())
        finally:
            engine.dispose()
        return columns, indexes


def test_upgrade_check_and_downgrade_from_the_command_line(
    bake: Bake, tmp_path: Path
) -> None:
    alembic = Alembic(bake, bake.path, bake.fresh_database_url(tmp_path, "alembic"))

    upgraded = alembic("upgrade", "head")
    tables_at_head = alembic.tables()
    checked = alembic("check")
    downgraded = alembic("downgrade", "base")

    assert upgraded[0] == 0, upgraded[1]
    assert {"users", "posts", "comments", "tags", "alembic_version"} <= tables_at_head
    assert checked[0] == 0, checked[1]
    assert CLEAN in checked[1]
    assert downgraded[0] == 0, downgraded[1]
    assert alembic.tables() == {"alembic_version"}


def test_autogenerate_writes_a_working_revision_for_a_new_column(
    bake: Bake, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(bake.path, project, ignore=shutil.ignore_patterns(*LEFTOVERS))
    models = project / "app" / "users" / "models.py"
    source = models.read_text(encoding="utf-8")
    assert USER_ID in source
    models.write_text(source.replace(USER_ID, USER_ID + NEW_COLUMN), encoding="utf-8")
    versions = project / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    alembic = Alembic(bake, project, bake.fresh_database_url(tmp_path, "autogen"))

    started = alembic("upgrade", "head")
    assert started[0] == 0, started[1]
    _, indexes = alembic.users()
    generated = alembic("revision", "--autogenerate", "-m", "add bio to users")
    assert generated[0] == 0, generated[1]
    (revision,) = set(versions.glob("*.py")) - before
    text = revision.read_text(encoding="utf-8")
    linted = run("ruff", "check", "--no-cache", str(revision), cwd=project)
    formatted = run(
        "ruff", "format", "--no-cache", "--check", str(revision), cwd=project
    )
    upgraded = alembic("upgrade", "head")
    columns_at_head, _ = alembic.users()
    checked = alembic("check")
    downgraded = alembic("downgrade", "-1")
    columns_after, indexes_after = alembic.users()

    # Dated and slugged, like every revision.
    assert re.fullmatch(
        r"\d{4}_\d\d_\d\d_\d{4}-[0-9a-f]{12}_add_bio_to_users\.py", revision.name
    )
    assert "add_column" in text
    assert "drop_column" in text
    if bake.combination["database"] == "sqlite":
        assert 'batch_alter_table("users"' in text
    assert linted.returncode == 0, explain(linted)
    assert formatted.returncode == 0, explain(formatted)
    assert upgraded[0] == 0, upgraded[1]
    assert "bio" in columns_at_head
    assert checked[0] == 0, checked[1]
    assert CLEAN in checked[1]
    assert downgraded[0] == 0, downgraded[1]
    assert "bio" not in columns_after
    # SQLite's batch mode copied the table: its indexes, partial ones too,
    # must all be back.
    assert indexes_after == indexes
    assert "uq_users_email" in indexes
