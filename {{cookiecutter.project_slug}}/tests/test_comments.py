"""Comments: written under a post, listed oldest first, deleted by three people."""

from __future__ import annotations

from httpx import AsyncClient

from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

POSTS = "/api/v1/posts"
COMMENTS = "/api/v1/comments"


async def test_comment_is_created_with_its_author(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    auth_headers: dict[str, str],
) -> None:
    post = await post_factory()

    response = await client.post(
        f"{POSTS}/{post.id}/comments", json={"body": " Nice "}, headers=auth_headers
    )

    assert response.status_code == 201
    comment = response.json()
    assert set(comment) == {"id", "body", "author", "post_id", "created_at"}
    assert comment["body"] == "Nice"
    assert comment["post_id"] == post.id
    assert comment["author"] == {"id": user.id, "name": user.name}


async def test_commenting_needs_a_token_and_a_post(
    client: AsyncClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = await post_factory()

    anonymous = await client.post(f"{POSTS}/{post.id}/comments", json={"body": "x"})
    no_post = await client.post(
        f"{POSTS}/{post.id + 99}/comments", json={"body": "x"}, headers=auth_headers
    )
    empty = await client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "  "}, headers=auth_headers
    )

    assert anonymous.status_code == 401
    assert no_post.status_code == 404
    assert empty.status_code == 422


async def test_comments_of_a_deleted_post_are_404(
    client: AsyncClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = await post_factory()
    await client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "x"}, headers=auth_headers
    )
    await client.delete(f"{POSTS}/{post.id}", headers=auth_headers)

    listing = await client.get(f"{POSTS}/{post.id}/comments")
    writing = await client.post(
        f"{POSTS}/{post.id}/comments", json={"body": "late"}, headers=auth_headers
    )

    assert listing.status_code == 404
    assert writing.status_code == 404


async def test_comments_are_listed_oldest_first_by_cursor(
    client: AsyncClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = await post_factory()
    url = f"{POSTS}/{post.id}/comments"
    created = [
        (await client.post(url, json={"body": f"c{i}"}, headers=auth_headers)).json()[
            "id"
        ]
        for i in range(5)
    ]

    first = (await client.get(url, params={"limit": 2})).json()
    second = (
        await client.get(url, params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await client.get(url, params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()

    pages = [first, second, third]
    assert [c["id"] for page in pages for c in page["items"]] == created
    assert third["next_cursor"] is None


async def test_who_may_delete_a_comment(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    post = await post_factory()  # written by `user`
    commenter = await user_factory()
    stranger = await user_factory()
    admin = await user_factory(is_superuser=True)
    url = f"{POSTS}/{post.id}/comments"

    async def comment() -> int:
        response = await client.post(
            url, json={"body": "x"}, headers=headers_for(commenter)
        )
        comment_id: int = response.json()["id"]
        return comment_id

    first, second, third = await comment(), await comment(), await comment()

    refused = await client.delete(f"{COMMENTS}/{first}", headers=headers_for(stranger))
    own = await client.delete(f"{COMMENTS}/{first}", headers=headers_for(commenter))
    post_author = await client.delete(f"{COMMENTS}/{second}", headers=headers_for(user))
    by_admin = await client.delete(f"{COMMENTS}/{third}", headers=headers_for(admin))
    again = await client.delete(f"{COMMENTS}/{third}", headers=headers_for(admin))

    assert refused.status_code == 403
    assert (own.status_code, post_author.status_code, by_admin.status_code) == (
        204,
        204,
        204,
    )
    assert again.status_code == 404
    assert (await client.get(url)).json()["items"] == []
