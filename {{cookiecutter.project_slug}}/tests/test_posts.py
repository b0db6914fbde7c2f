"""/api/v1/posts: tags, ownership, search, filters and cursor pagination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.posts.models import Post
from app.tags.models import Tag
from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

POSTS = "/api/v1/posts"


async def test_create_normalises_tags_and_returns_the_post(
    client: AsyncClient, user: User, auth_headers: dict[str, str]
) -> None:
    response = await client.post(
        POSTS,
        json={
            "title": " Hello ",
            "body": "World",
            "tags": ["Python ", "python", "SQL"],
        },
        headers=auth_headers,
    )

    assert response.status_code == 201
    post = response.json()
    assert set(post) == {
        "id", "title", "body", "author", "tags", "comment_count", "created_at", "updated_at",
    }  # fmt: skip
    assert post["title"] == "Hello"
    assert post["tags"] == ["python", "sql"]
    assert post["author"] == {"id": user.id, "name": user.name}
    assert post["comment_count"] == 0


async def test_existing_tags_are_reused(
    client: AsyncClient, session: AsyncSession, auth_headers: dict[str, str]
) -> None:
    for _ in range(2):
        await client.post(
            POSTS,
            json={"title": "T", "body": "B", "tags": ["db"]},
            headers=auth_headers,
        )

    tags = await session.scalar(select(func.count()).select_from(Tag))
    assert tags == 1


async def test_create_needs_a_token(client: AsyncClient) -> None:
    response = await client.post(POSTS, json={"title": "T", "body": "B"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "", "body": "B"},
        {"title": "T", "body": ""},
        {"title": "T", "body": " \n\t "},
        {"title": "T" * 201, "body": "B"},
        {"title": "T", "body": "B", "tags": ["  "]},
        {"title": "T", "body": "B", "tags": ["t"] * 11},
        {"title": "T", "body": "B", "extra": 1},
    ],
    ids=[
        "no-title",
        "no-body",
        "blank-body",
        "long-title",
        "blank-tag",
        "too-many-tags",
        "unknown-field",
    ],
)
async def test_invalid_post_is_422(
    client: AsyncClient, auth_headers: dict[str, str], payload: dict[str, Any]
) -> None:
    response = await client.post(POSTS, json=payload, headers=auth_headers)

    assert response.status_code == 422


async def test_a_body_is_stripped_and_refused_when_blank_on_edit_too(
    client: AsyncClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = await post_factory()

    created = await client.post(
        POSTS, json={"title": "T", "body": "  Text.\n"}, headers=auth_headers
    )
    blank = await client.patch(
        f"{POSTS}/{post.id}", json={"body": "   "}, headers=auth_headers
    )

    assert created.json()["body"] == "Text."
    assert blank.status_code == 422
    assert (await client.get(f"{POSTS}/{post.id}")).json()["body"] == post.body


async def test_tags_come_back_by_name_from_every_route(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await client.post(
        POSTS,
        json={"title": "T", "body": "B", "tags": ["zeta", "Alpha", "mu"]},
        headers=auth_headers,
    )
    url = f"{POSTS}/{created.json()['id']}"
    edited = await client.patch(
        url, json={"tags": ["omega", "beta"]}, headers=auth_headers
    )

    assert created.json()["tags"] == ["alpha", "mu", "zeta"]
    assert edited.json()["tags"] == ["beta", "omega"]
    assert (await client.get(url)).json()["tags"] == ["beta", "omega"]
    assert (await client.get(POSTS)).json()["items"][0]["tags"] == ["beta", "omega"]
    # only: soft
    await client.delete(url, headers=auth_headers)
    restored = await client.post(f"{url}/restore", headers=auth_headers)
    assert restored.json()["tags"] == ["beta", "omega"]
    # end: soft


async def test_an_edit_of_the_tags_alone_moves_updated_at(
    client: AsyncClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = await post_factory(tags=["old"])

    edited = await client.patch(
        f"{POSTS}/{post.id}", json={"tags": ["new"]}, headers=auth_headers
    )

    assert edited.status_code == 200
    assert datetime.fromisoformat(edited.json()["updated_at"]) > post.updated_at


async def test_a_failure_mid_write_leaves_nothing_behind(
    client: AsyncClient, session: AsyncSession, auth_headers: dict[str, str]
) -> None:
    def fail_on_post(flushing: Session, *_: Any) -> None:
        if any(isinstance(obj, Post) for obj in flushing.new):
            msg = "disk full"
            raise RuntimeError(msg)

    event.listen(Session, "before_flush", fail_on_post)
    try:
        response = await client.post(
            POSTS,
            json={"title": "T", "body": "B", "tags": ["brand-new"]},
            headers=auth_headers,
        )
    finally:
        event.remove(Session, "before_flush", fail_on_post)

    assert response.status_code == 500

    # The tag was flushed before the post failed; the rollback took it back.
    assert await session.scalar(select(func.count()).select_from(Tag)) == 0
    assert await session.scalar(select(func.count()).select_from(Post)) == 0


async def test_get_post_and_404(client: AsyncClient, post_factory: PostFactory) -> None:
    post = await post_factory(tags=["x"])

    found = await client.get(f"{POSTS}/{post.id}")
    missing = await client.get(f"{POSTS}/{post.id + 100}")
    bad = await client.get(f"{POSTS}/0")

    assert found.status_code == 200
    assert found.json()["tags"] == ["x"]
    assert missing.status_code == 404
    assert bad.status_code == 422


async def test_update_is_author_only_and_replaces_tags(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    post = await post_factory(tags=["old", "keep"])
    other = await user_factory()
    admin = await user_factory(is_superuser=True)

    updated = await client.patch(
        f"{POSTS}/{post.id}", json={"tags": ["keep", "new"]}, headers=headers_for(user)
    )
    forbidden = await client.patch(
        f"{POSTS}/{post.id}", json={"title": "Mine now"}, headers=headers_for(other)
    )
    admin_edit = await client.patch(
        f"{POSTS}/{post.id}", json={"title": "Admin"}, headers=headers_for(admin)
    )

    assert updated.status_code == 200
    assert updated.json()["tags"] == ["keep", "new"]
    assert updated.json()["title"] == post.title
    assert forbidden.status_code == 403
    assert admin_edit.status_code == 403


async def test_delete_is_for_the_author_or_a_superuser(
    client: AsyncClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    first = await post_factory()
    second = await post_factory()
    other = await user_factory()
    admin = await user_factory(is_superuser=True)

    forbidden = await client.delete(f"{POSTS}/{first.id}", headers=headers_for(other))
    by_author = await client.delete(f"{POSTS}/{first.id}", headers=headers_for(user))
    by_admin = await client.delete(f"{POSTS}/{second.id}", headers=headers_for(admin))

    assert forbidden.status_code == 403
    assert by_author.status_code == 204
    assert by_admin.status_code == 204
    assert (await client.get(f"{POSTS}/{first.id}")).status_code == 404
    assert (await client.get(POSTS)).json()["items"] == []


async def test_list_is_newest_first_and_filters(
    client: AsyncClient, post_factory: PostFactory, user_factory: UserFactory
) -> None:
    other = await user_factory()
    await post_factory(title="Typed SQLAlchemy", tags=["python"])
    await post_factory(title="Indexes", body="about btree", tags=["sql"])
    await post_factory(title="Mine", author=other, tags=["python"])

    everything = (await client.get(POSTS)).json()
    by_tag = (await client.get(POSTS, params={"tag": " Python"})).json()
    by_author = (await client.get(POSTS, params={"author_id": other.id})).json()
    by_text = (await client.get(POSTS, params={"q": "BTREE"})).json()

    assert [p["title"] for p in everything["items"]] == [
        "Mine",
        "Indexes",
        "Typed SQLAlchemy",
    ]
    assert everything["next_cursor"] is None
    assert [p["title"] for p in by_tag["items"]] == ["Mine", "Typed SQLAlchemy"]
    assert [p["title"] for p in by_author["items"]] == ["Mine"]
    assert [p["title"] for p in by_text["items"]] == ["Indexes"]


async def test_search_wildcards_match_literally(
    client: AsyncClient, post_factory: PostFactory
) -> None:
    await post_factory(title="50% off")
    await post_factory(title="snake_case")
    await post_factory(title="back\\slash")
    await post_factory(title="plain")

    def titles(body: dict[str, Any]) -> list[str]:
        return [p["title"] for p in body["items"]]

    assert titles((await client.get(POSTS, params={"q": "%"})).json()) == ["50% off"]
    assert titles((await client.get(POSTS, params={"q": "_"})).json()) == ["snake_case"]
    assert titles((await client.get(POSTS, params={"q": "\\"})).json()) == [
        "back\\slash"
    ]


async def walk(
    client: AsyncClient,
    url: str,
    limit: int,
    between_pages: PostFactory | None = None,
) -> list[int]:
    """The ids of every page in turn; `between_pages` runs after each page."""
    ids: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(url, params=params)).json()
        ids += [item["id"] for item in page["items"]]
        if between_pages is not None:
            await between_pages()
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


async def test_cursor_walk_returns_every_post_once(
    client: AsyncClient, post_factory: PostFactory
) -> None:
    created = [(await post_factory()).id for _ in range(7)]

    seen = await walk(client, POSTS, limit=3)

    assert seen == sorted(created, reverse=True)


async def test_cursor_walk_is_stable_while_posts_are_added(
    client: AsyncClient, post_factory: PostFactory
) -> None:
    created = [(await post_factory()).id for _ in range(6)]

    # New posts land before the walk's position: they must not shift it.
    seen = await walk(client, POSTS, limit=2, between_pages=post_factory)

    assert seen == sorted(created, reverse=True)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJ4IjoxfQ",
        "WyJub3QtYS1kYXRlIiwxXQ",
        "WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwxXQ",
        "%%%",
    ],
    ids=["not-base64-json", "an-object", "bad-date", "naive-date", "symbols"],
)
async def test_tampered_cursor_is_400(client: AsyncClient, cursor: str) -> None:
    response = await client.get(POSTS, params={"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid cursor"}


async def test_comment_count_leaves_out_deleted_comments(
    client: AsyncClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = await post_factory()
    url = f"{POSTS}/{post.id}/comments"
    first = (await client.post(url, json={"body": "one"}, headers=auth_headers)).json()
    await client.post(url, json={"body": "two"}, headers=auth_headers)
    await client.delete(f"/api/v1/comments/{first['id']}", headers=auth_headers)

    listed = (await client.get(POSTS)).json()["items"][0]
    single = (await client.get(f"{POSTS}/{post.id}")).json()

    assert listed["comment_count"] == 1
    assert single["comment_count"] == 1
