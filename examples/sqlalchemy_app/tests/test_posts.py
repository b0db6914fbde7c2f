"""/api/v1/posts: tags, ownership, search, filters and cursor pagination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.posts.models import Post
from app.tags.models import Tag
from app.users.models import User
from tests.conftest import PostFactory, UserFactory, headers_for

POSTS = "/api/v1/posts"


def test_create_normalises_tags_and_returns_the_post(
    client: TestClient, user: User, auth_headers: dict[str, str]
) -> None:
    response = client.post(
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


def test_existing_tags_are_reused(
    client: TestClient, session: Session, auth_headers: dict[str, str]
) -> None:
    for _ in range(2):
        client.post(
            POSTS,
            json={"title": "T", "body": "B", "tags": ["db"]},
            headers=auth_headers,
        )

    tags = session.scalar(select(func.count()).select_from(Tag))
    assert tags == 1


def test_create_needs_a_token(client: TestClient) -> None:
    response = client.post(POSTS, json={"title": "T", "body": "B"})

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
def test_invalid_post_is_422(
    client: TestClient, auth_headers: dict[str, str], payload: dict[str, Any]
) -> None:
    response = client.post(POSTS, json=payload, headers=auth_headers)

    assert response.status_code == 422


def test_a_body_is_stripped_and_refused_when_blank_on_edit_too(
    client: TestClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = post_factory()

    created = client.post(
        POSTS, json={"title": "T", "body": "  Text.\n"}, headers=auth_headers
    )
    blank = client.patch(
        f"{POSTS}/{post.id}", json={"body": "   "}, headers=auth_headers
    )

    assert created.json()["body"] == "Text."
    assert blank.status_code == 422
    assert (client.get(f"{POSTS}/{post.id}")).json()["body"] == post.body


def test_tags_come_back_by_name_from_every_route(
    client: TestClient, auth_headers: dict[str, str]
) -> None:
    created = client.post(
        POSTS,
        json={"title": "T", "body": "B", "tags": ["zeta", "Alpha", "mu"]},
        headers=auth_headers,
    )
    url = f"{POSTS}/{created.json()['id']}"
    edited = client.patch(url, json={"tags": ["omega", "beta"]}, headers=auth_headers)

    assert created.json()["tags"] == ["alpha", "mu", "zeta"]
    assert edited.json()["tags"] == ["beta", "omega"]
    assert (client.get(url)).json()["tags"] == ["beta", "omega"]
    assert (client.get(POSTS)).json()["items"][0]["tags"] == ["beta", "omega"]
    client.delete(url, headers=auth_headers)
    restored = client.post(f"{url}/restore", headers=auth_headers)
    assert restored.json()["tags"] == ["beta", "omega"]


def test_an_edit_of_the_tags_alone_moves_updated_at(
    client: TestClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = post_factory(tags=["old"])

    edited = client.patch(
        f"{POSTS}/{post.id}", json={"tags": ["new"]}, headers=auth_headers
    )

    assert edited.status_code == 200
    assert datetime.fromisoformat(edited.json()["updated_at"]) > post.updated_at


def test_a_failure_mid_write_leaves_nothing_behind(
    client: TestClient, session: Session, auth_headers: dict[str, str]
) -> None:
    def fail_on_post(flushing: Session, *_: Any) -> None:
        if any(isinstance(obj, Post) for obj in flushing.new):
            msg = "disk full"
            raise RuntimeError(msg)

    event.listen(Session, "before_flush", fail_on_post)
    try:
        response = client.post(
            POSTS,
            json={"title": "T", "body": "B", "tags": ["brand-new"]},
            headers=auth_headers,
        )
    finally:
        event.remove(Session, "before_flush", fail_on_post)

    assert response.status_code == 500

    # The tag was flushed before the post failed; the rollback took it back.
    assert session.scalar(select(func.count()).select_from(Tag)) == 0
    assert session.scalar(select(func.count()).select_from(Post)) == 0


def test_get_post_and_404(client: TestClient, post_factory: PostFactory) -> None:
    post = post_factory(tags=["x"])

    found = client.get(f"{POSTS}/{post.id}")
    missing = client.get(f"{POSTS}/{post.id + 100}")
    bad = client.get(f"{POSTS}/0")

    assert found.status_code == 200
    assert found.json()["tags"] == ["x"]
    assert missing.status_code == 404
    assert bad.status_code == 422


def test_update_is_author_only_and_replaces_tags(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    post = post_factory(tags=["old", "keep"])
    other = user_factory()
    admin = user_factory(is_superuser=True)

    updated = client.patch(
        f"{POSTS}/{post.id}", json={"tags": ["keep", "new"]}, headers=headers_for(user)
    )
    forbidden = client.patch(
        f"{POSTS}/{post.id}", json={"title": "Mine now"}, headers=headers_for(other)
    )
    admin_edit = client.patch(
        f"{POSTS}/{post.id}", json={"title": "Admin"}, headers=headers_for(admin)
    )

    assert updated.status_code == 200
    assert updated.json()["tags"] == ["keep", "new"]
    assert updated.json()["title"] == post.title
    assert forbidden.status_code == 403
    assert admin_edit.status_code == 403


def test_delete_is_for_the_author_or_a_superuser(
    client: TestClient,
    post_factory: PostFactory,
    user: User,
    user_factory: UserFactory,
) -> None:
    first = post_factory()
    second = post_factory()
    other = user_factory()
    admin = user_factory(is_superuser=True)

    forbidden = client.delete(f"{POSTS}/{first.id}", headers=headers_for(other))
    by_author = client.delete(f"{POSTS}/{first.id}", headers=headers_for(user))
    by_admin = client.delete(f"{POSTS}/{second.id}", headers=headers_for(admin))

    assert forbidden.status_code == 403
    assert by_author.status_code == 204
    assert by_admin.status_code == 204
    assert (client.get(f"{POSTS}/{first.id}")).status_code == 404
    assert (client.get(POSTS)).json()["items"] == []


def test_list_is_newest_first_and_filters(
    client: TestClient, post_factory: PostFactory, user_factory: UserFactory
) -> None:
    other = user_factory()
    post_factory(title="Typed SQLAlchemy", tags=["python"])
    post_factory(title="Indexes", body="about btree", tags=["sql"])
    post_factory(title="Mine", author=other, tags=["python"])

    everything = (client.get(POSTS)).json()
    by_tag = (client.get(POSTS, params={"tag": " Python"})).json()
    by_author = (client.get(POSTS, params={"author_id": other.id})).json()
    by_text = (client.get(POSTS, params={"q": "BTREE"})).json()

    assert [p["title"] for p in everything["items"]] == [
        "Mine",
        "Indexes",
        "Typed SQLAlchemy",
    ]
    assert everything["next_cursor"] is None
    assert [p["title"] for p in by_tag["items"]] == ["Mine", "Typed SQLAlchemy"]
    assert [p["title"] for p in by_author["items"]] == ["Mine"]
    assert [p["title"] for p in by_text["items"]] == ["Indexes"]


def test_search_wildcards_match_literally(
    client: TestClient, post_factory: PostFactory
) -> None:
    post_factory(title="50% off")
    post_factory(title="snake_case")
    post_factory(title="back\\slash")
    post_factory(title="plain")

    def titles(body: dict[str, Any]) -> list[str]:
        return [p["title"] for p in body["items"]]

    assert titles((client.get(POSTS, params={"q": "%"})).json()) == ["50% off"]
    assert titles((client.get(POSTS, params={"q": "_"})).json()) == ["snake_case"]
    assert titles((client.get(POSTS, params={"q": "\\"})).json()) == ["back\\slash"]


def walk(
    client: TestClient,
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
        page = (client.get(url, params=params)).json()
        ids += [item["id"] for item in page["items"]]
        if between_pages is not None:
            between_pages()
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def test_cursor_walk_returns_every_post_once(
    client: TestClient, post_factory: PostFactory
) -> None:
    created = [(post_factory()).id for _ in range(7)]

    seen = walk(client, POSTS, limit=3)

    assert seen == sorted(created, reverse=True)


def test_cursor_walk_is_stable_while_posts_are_added(
    client: TestClient, post_factory: PostFactory
) -> None:
    created = [(post_factory()).id for _ in range(6)]

    # New posts land before the walk's position: they must not shift it.
    seen = walk(client, POSTS, limit=2, between_pages=post_factory)

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
def test_tampered_cursor_is_400(client: TestClient, cursor: str) -> None:
    response = client.get(POSTS, params={"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid cursor"}


def test_comment_count_leaves_out_deleted_comments(
    client: TestClient, post_factory: PostFactory, auth_headers: dict[str, str]
) -> None:
    post = post_factory()
    url = f"{POSTS}/{post.id}/comments"
    first = (client.post(url, json={"body": "one"}, headers=auth_headers)).json()
    client.post(url, json={"body": "two"}, headers=auth_headers)
    client.delete(f"/api/v1/comments/{first['id']}", headers=auth_headers)

    listed = (client.get(POSTS)).json()["items"][0]
    single = (client.get(f"{POSTS}/{post.id}")).json()

    assert listed["comment_count"] == 1
    assert single["comment_count"] == 1
