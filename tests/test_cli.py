"""The management CLI, run the way a user runs it, on a fresh database."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Bake, explain, run


def test_migrate_create_superuser_and_seed(bake: Bake, tmp_path: Path) -> None:
    env = bake.env(DATABASE_URL=bake.fresh_database_url(tmp_path, "cli"))

    def app(*args: str) -> tuple[int, str]:
        result = run("python", "-m", "app", *args, cwd=bake.path, env=env)
        return result.returncode, explain(result)

    migrated = app("migrate")
    created = app(
        "create-superuser", "--email", "Admin@Example.com", "--name", "Admin",
        "--password", "a-long-password",
    )  # fmt: skip
    duplicate = app(
        "create-superuser", "--email", "admin@example.com", "--name", "Again",
        "--password", "a-long-password",
    )  # fmt: skip
    short = app(
        "create-superuser", "--email", "b@example.com", "--name", "B", "--password", "x"
    )
    seeded = app("seed", "--users", "20", "--posts", "50", "--comments", "80")

    assert migrated[0] == 0, migrated[1]
    assert created[0] == 0, created[1]
    assert "Superuser Admin@Example.com created" in created[1]
    assert duplicate[0] == 1
    assert "already exists" in duplicate[1]
    assert short[0] != 0
    assert "password" in short[1]
    assert seeded[0] == 0, seeded[1]
    assert re.search(
        r"Seeded 20 users, \d+ tags, 50 posts, 150 post_tags, 80 comments", seeded[1]
    )
    assert "rows/s" in seeded[1]
