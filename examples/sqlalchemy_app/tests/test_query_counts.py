"""N+1 guards: a list costs the same number of statements for 1 row or 50.

Relationships are `lazy="raise"`, so a forgotten eager load fails loudly; these
tests also pin the number of statements each list sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

# posts + authors (joined) + comment counts (subquery), then tags (one IN query)
POSTS_LIST_STATEMENTS = 2
# comments + authors (joined)
COMMENTS_LIST_STATEMENTS = 1
# the post's existence check, then the page
COMMENTS_LIST_WITH_CHECK = 1 + COMMENTS_LIST_STATEMENTS
# count, then the page
USERS_LIST_STATEMENTS = 2


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

    assert one == fifty == POSTS_LIST_STATEMENTS


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

    assert one == fifty == COMMENTS_LIST_WITH_CHECK


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

    assert one == fifty == USERS_LIST_STATEMENTS
