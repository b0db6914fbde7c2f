"""N+1 guards: a list costs the same number of statements for 1 row or 50.

Relationships are `lazy="raise"`, so a forgotten eager load fails loudly;
these tests also catch a per-row query that is not a relationship load. The
count itself may change with the queries (a join, a check): a list only has
to send as many statements for 50 rows as for 1, and a few at most.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

# A page, its related rows and its count or existence check take a few
# statements; a row costs none of its own.
FEW = 4


def statements_for(
    client: TestClient, count_queries: Callable[[], Any], url: str, limit: int
) -> int:
    with count_queries() as log:
        response = client.get(url, params={"limit": limit})
    assert response.status_code == 200
    assert len(response.json()["items"]) == limit
    return len(log)


def test_posts_list_does_not_grow_with_the_page(
    client: TestClient,
    post_factory: PostFactory,
    user_factory: UserFactory,
    count_queries: Callable[[], Any],
) -> None:
    authors = [user_factory() for _ in range(5)]
    for number in range(50):
        post_factory(author=authors[number % 5], tags=[f"t{number % 7}", "all"])

    one = statements_for(client, count_queries, "/api/v1/posts", 1)
    fifty = statements_for(client, count_queries, "/api/v1/posts", 50)

    assert one == fifty <= FEW


def test_comments_list_does_not_grow_with_the_page(
    client: TestClient,
    post_factory: PostFactory,
    user_factory: UserFactory,
    count_queries: Callable[[], Any],
) -> None:
    post = post_factory(tags=["x"])
    commenters = [user_factory() for _ in range(5)]
    url = f"/api/v1/posts/{post.id}/comments"
    for number in range(50):
        client.post(
            url,
            json={"body": f"c{number}"},
            headers=headers_for(commenters[number % 5]),
        )

    one = statements_for(client, count_queries, url, 1)
    fifty = statements_for(client, count_queries, url, 50)

    assert one == fifty <= FEW


def test_users_list_does_not_grow_with_the_page(
    client: TestClient,
    user: User,
    user_factory: UserFactory,
    count_queries: Callable[[], Any],
) -> None:
    for _ in range(49):
        user_factory()

    one = statements_for(client, count_queries, "/api/v1/users", 1)
    fifty = statements_for(client, count_queries, "/api/v1/users", 50)

    assert one == fifty <= FEW
