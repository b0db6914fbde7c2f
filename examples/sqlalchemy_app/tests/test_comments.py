"""Comments: written under a post, listed oldest first, deleted by three people."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

POSTS = "/api/v1/posts"
COMMENTS = "/api/v1/comments"


def test_comment_is_created_with_its_author(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    auth_headers: dict[str, str],
) -> None:
    post = post_factory()

    response = client.post(
        f"{POSTS}/{post.id}/comments", json={"body": " Nice "}, headers=auth_headers
    )

    assert response.status_code == 201
    comment = response.json()
    assert set(comment) == {"id", "body", "author", "post_id", "created_at"}
    assert comment["body"] == "Nice"
    assert comment["post_id"] == post.id
    assert comment["author"] == {"id": user.id, "name": user.name}


def test_commenting_needs_a_token_and_a_post(
    client: TestClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = post_factory()

    anonymous = client.post(f"{POSTS}/{post.id}/comments", json={"body": "x"})
    no_post = client.post(
        f"{POSTS}/{post.id + 99}/comments", json={"body": "x"}, headers=auth_headers
    )
    empty = client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "  "}, headers=auth_headers
    )

    assert anonymous.status_code == 401
    assert no_post.status_code == 404
    assert empty.status_code == 422


def test_comments_of_a_deleted_post_are_404(
    client: TestClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = post_factory()
    client.post(f"{POSTS}/{post.id}/comments", json={"body": "x"}, headers=auth_headers)
    client.delete(f"{POSTS}/{post.id}", headers=auth_headers)

    listing = client.get(f"{POSTS}/{post.id}/comments")
    writing = client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "late"}, headers=auth_headers
    )

    assert listing.status_code == 404
    assert writing.status_code == 404


def test_comments_are_listed_oldest_first_by_cursor(
    client: TestClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = post_factory()
    url = f"{POSTS}/{post.id}/comments"
    created = [
        (client.post(url, json={"body": f"c{i}"}, headers=auth_headers)).json()["id"]
        for i in range(5)
    ]

    first = (client.get(url, params={"limit": 2})).json()
    second = (
        client.get(url, params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        client.get(url, params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()

    pages = [first, second, third]
    assert [c["id"] for page in pages for c in page["items"]] == created
    assert third["next_cursor"] is None


def test_who_may_delete_a_comment(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    post = post_factory()  # written by `user`
    commenter = user_factory()
    stranger = user_factory()
    admin = user_factory(is_superuser=True)
    url = f"{POSTS}/{post.id}/comments"

    def comment() -> int:
        response = client.post(url, json={"body": "x"}, headers=headers_for(commenter))
        comment_id: int = response.json()["id"]
        return comment_id

    first, second, third = comment(), comment(), comment()

    refused = client.delete(f"{COMMENTS}/{first}", headers=headers_for(stranger))
    own = client.delete(f"{COMMENTS}/{first}", headers=headers_for(commenter))
    post_author = client.delete(f"{COMMENTS}/{second}", headers=headers_for(user))
    by_admin = client.delete(f"{COMMENTS}/{third}", headers=headers_for(admin))
    again = client.delete(f"{COMMENTS}/{third}", headers=headers_for(admin))

    assert refused.status_code == 403
    assert (own.status_code, post_author.status_code, by_admin.status_code) == (
        204,
        204,
        204,
    )
    assert again.status_code == 404
    assert (client.get(url)).json()["items"] == []
