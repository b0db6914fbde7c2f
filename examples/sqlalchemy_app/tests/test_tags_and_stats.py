"""/tags and /stats: aggregates computed in SQL, leaving deleted rows out."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for


def test_tags_are_counted_most_used_first(
    client: TestClient, post_factory: PostFactory
) -> None:
    post_factory(tags=["python", "sql"])
    post_factory(tags=["python"])
    post_factory(tags=["alembic", "python", "sql"])

    response = client.get("/api/v1/tags")

    assert response.status_code == 200
    assert response.json() == [
        {"name": "python", "post_count": 3},
        {"name": "sql", "post_count": 2},
        {"name": "alembic", "post_count": 1},
    ]


def test_stats_count_everything_and_rank_authors(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
    auth_headers: dict[str, str],
) -> None:
    other = user_factory(name="Second")
    first = post_factory()
    post_factory()
    post_factory(author=other)
    client.post(
        f"/api/v1/posts/{first.id}/comments", json={"body": "x"}, headers=auth_headers
    )

    stats = (client.get("/api/v1/stats")).json()

    assert stats == {
        "users": 2,
        "posts": 3,
        "comments": 1,
        "top_authors": [
            {"id": user.id, "name": user.name, "posts": 2},
            {"id": other.id, "name": "Second", "posts": 1},
        ],
    }


def test_deleted_rows_leave_the_aggregates(
    client: TestClient, post_factory: PostFactory, user_factory: UserFactory
) -> None:
    leaving = user_factory(name="Leaving")
    post_factory(author=leaving, tags=["gone"])
    post_factory(tags=["kept"])

    client.delete(f"/api/v1/users/{leaving.id}", headers=headers_for(leaving))

    assert (client.get("/api/v1/tags")).json() == [{"name": "kept", "post_count": 1}]
    stats = (client.get("/api/v1/stats")).json()
    assert (stats["users"], stats["posts"]) == (1, 1)
    assert [a["name"] for a in stats["top_authors"]] == ["Ada Lovelace"]
