"""/tags and /stats: aggregates computed in SQL, leaving deleted rows out."""

from __future__ import annotations

from httpx import AsyncClient

from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for


async def test_tags_are_counted_most_used_first(
    client: AsyncClient, post_factory: PostFactory
) -> None:
    await post_factory(tags=["python", "sql"])
    await post_factory(tags=["python"])
    await post_factory(tags=["alembic", "python", "sql"])

    response = await client.get("/api/v1/tags")

    assert response.status_code == 200
    assert response.json() == [
        {"name": "python", "post_count": 3},
        {"name": "sql", "post_count": 2},
        {"name": "alembic", "post_count": 1},
    ]


async def test_stats_count_everything_and_rank_authors(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
    auth_headers: dict[str, str],
) -> None:
    other = await user_factory(name="Second")
    first = await post_factory()
    await post_factory()
    await post_factory(author=other)
    await client.post(
        f"/api/v1/posts/{first.id}/comments", json={"body": "x"}, headers=auth_headers
    )

    stats = (await client.get("/api/v1/stats")).json()

    assert stats == {
        "users": 2,
        "posts": 3,
        "comments": 1,
        "top_authors": [
            {"id": user.id, "name": user.name, "posts": 2},
            {"id": other.id, "name": "Second", "posts": 1},
        ],
    }


async def test_deleted_rows_leave_the_aggregates(
    client: AsyncClient, post_factory: PostFactory, user_factory: UserFactory
) -> None:
    leaving = await user_factory(name="Leaving")
    await post_factory(author=leaving, tags=["gone"])
    await post_factory(tags=["kept"])

    await client.delete(f"/api/v1/users/{leaving.id}", headers=headers_for(leaving))

    assert (await client.get("/api/v1/tags")).json() == [
        {"name": "kept", "post_count": 1}
    ]
    stats = (await client.get("/api/v1/stats")).json()
    assert (stats["users"], stats["posts"]) == (1, 1)
    assert [a["name"] for a in stats["top_authors"]] == ["Ada Lovelace"]
