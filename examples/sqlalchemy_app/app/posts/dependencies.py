"""Existence and permission checks for post routes, written once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentUser
from app.database import SessionDep
from app.posts.exceptions import (
    NotYourPostError,
    NotYourPostOrAdminError,
    PostNotFoundError,
)
from app.posts.models import Post
from app.schemas import IdPath


def get_post_or_404(session: SessionDep, post_id: IdPath) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise PostNotFoundError
    return post


PostOr404 = Annotated[Post, Depends(get_post_or_404)]


def get_own_post(post: PostOr404, current: CurrentUser) -> Post:
    if post.author_id != current.id:
        raise NotYourPostError
    return post


def get_own_post_or_admin(post: PostOr404, current: CurrentUser) -> Post:
    if post.author_id != current.id and not current.is_superuser:
        raise NotYourPostOrAdminError
    return post


OwnPost = Annotated[Post, Depends(get_own_post)]
OwnPostOrAdmin = Annotated[Post, Depends(get_own_post_or_admin)]
