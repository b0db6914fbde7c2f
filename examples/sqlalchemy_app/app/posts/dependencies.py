"""Existence and permission checks for post routes, written once.

A write route names the caller first, so that an anonymous request is a 401
before anything is looked up, and loads the post locked (`get_post(lock=...)`),
so that two requests writing to one post take turns.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentUser
from app.database import SessionDep
from app.posts import service
from app.posts.exceptions import (
    NotYourPostError,
    NotYourPostOrAdminError,
    PostNotFoundError,
)
from app.posts.models import Post
from app.schemas import IdPath
from app.users.models import User


def get_post_or_404(session: SessionDep, post_id: IdPath) -> Post:
    post = service.get_post(session=session, post_id=post_id)
    if post is None:
        raise PostNotFoundError
    return post


PostOr404 = Annotated[Post, Depends(get_post_or_404)]


def get_post_to_comment_on(
    _: CurrentUser, session: SessionDep, post_id: IdPath
) -> Post:
    """The post, kept from being changed or deleted until the comment is in."""
    post = service.get_post(session=session, post_id=post_id, lock="share")
    if post is None:
        raise PostNotFoundError
    return post


PostToCommentOn = Annotated[Post, Depends(get_post_to_comment_on)]


def get_post_to_write(_: CurrentUser, session: SessionDep, post_id: IdPath) -> Post:
    post = service.get_post(session=session, post_id=post_id, lock="update")
    if post is None:
        raise PostNotFoundError
    return post


PostToWrite = Annotated[Post, Depends(get_post_to_write)]


def get_own_post(current: CurrentUser, post: PostToWrite) -> Post:
    if post.author_id != current.id:
        raise NotYourPostError
    return post


def _check_author_or_superuser(post: Post, current: User) -> None:
    if post.author_id != current.id and not current.is_superuser:
        raise NotYourPostOrAdminError


def get_restorable_post(
    current: CurrentUser, session: SessionDep, post_id: IdPath
) -> Post:
    """The post, deleted or not, if the caller is its author or a superuser."""
    post = service.get_post_including_deleted(session=session, post_id=post_id)
    if post is None:
        raise PostNotFoundError
    _check_author_or_superuser(post, current)
    return post


RestorablePost = Annotated[Post, Depends(get_restorable_post)]


def get_own_post_or_admin(current: CurrentUser, post: PostToWrite) -> Post:
    _check_author_or_superuser(post, current)
    return post


OwnPost = Annotated[Post, Depends(get_own_post)]
OwnPostOrAdmin = Annotated[Post, Depends(get_own_post_or_admin)]
