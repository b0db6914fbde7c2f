"""The models as the database and Alembic see them."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import utc_now
from app.posts.models import Post
from app.users.models import User

PROJECT = Path(__file__).resolve().parent.parent


def alembic_imports() -> str:
    """The `app` imports of migrations/env.py: what Alembic loads of the app."""
    env = ast.parse((PROJECT / "migrations" / "env.py").read_text(encoding="utf-8"))
    return "\n".join(
        ast.unparse(node)
        for node in env.body
        if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app"))
        or (
            isinstance(node, ast.Import)
            and any(alias.name.startswith("app") for alias in node.names)
        )
    )


def test_alembic_loads_every_models_module() -> None:
    """Else autogenerate would see no table of a forgotten module, and write a
    revision that drops them."""
    on_disk = {
        ".".join(path.relative_to(PROJECT).with_suffix("").parts)
        for path in (PROJECT / "app").rglob("models.py")
        if path.parent != PROJECT / "app"
    }
    listing = "import sys; print(*(m for m in sys.modules if m.endswith('.models')))"
    result = subprocess.run(
        [sys.executable, "-c", f"{alembic_imports()}\n{listing}"],
        cwd=PROJECT,
        env=os.environ | {"PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert on_disk, "no app/<domain>/models.py found"
    assert on_disk - set(result.stdout.split()) == set()


async def test_rows_inserted_with_plain_sql_get_their_defaults(
    session: AsyncSession,
) -> None:
    """What a data migration writes: no timestamps, no flags."""
    await session.execute(
        text(
            "INSERT INTO users (name, email, password_hash)"
            " VALUES ('Raw', 'raw@example.com', 'not-a-hash')"
        )
    )
    user = await session.scalar(select(User).where(User.email == "raw@example.com"))
    assert user is not None
    await session.execute(
        text("INSERT INTO posts (title, body, author_id) VALUES ('T', 'B', :author)"),
        {"author": user.id},
    )
    post = await session.scalar(select(Post).where(Post.author_id == user.id))

    assert post is not None
    assert user.is_superuser is False
    for moment in (user.created_at, user.updated_at, post.created_at, post.updated_at):
        assert abs(utc_now() - moment) < timedelta(minutes=5)
