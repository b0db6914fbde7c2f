"""The raw baseline: Starlette, the bare driver and hand-written SQL.

It serves the routes the benchmark calls, with the same JSON shapes as a bake,
on a database that a bake migrated and seeded:

- PostgreSQL: asyncpg, one pool of as many connections as the load has, and
  `async` endpoints;
- SQLite: the standard `sqlite3` module, one connection per worker thread, and
  plain `def` endpoints (Starlette runs them in its thread pool); writes take
  the write lock up front (`BEGIN IMMEDIATE`).

Each query is the one a careful person would write by hand: one statement for a
page of posts with author, tags and comment count, and a row-value comparison
for the keyset. Requests are checked only as far as the work needs (a valid
token, a title, a body, a list of tags). `GET /api/v1/posts?offset=N` exists
here only: the bakes page posts by cursor, and the offset page shows why.

Settings come from the environment: BASELINE_DATABASE_URL (`postgresql://...`
or `sqlite:///path`), SECRET_KEY (to check tokens), BASELINE_POOL_SIZE.
`uvicorn baseline:app`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DATABASE_URL = os.environ["BASELINE_DATABASE_URL"]
SECRET_KEY = os.environ["SECRET_KEY"]
POOL_SIZE = int(os.environ.get("BASELINE_POOL_SIZE", "16"))
MAX_LIMIT = 100


class HTTPError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail


def _error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPError)  # registered for HTTPError only
    return JSONResponse({"detail": error.detail}, status_code=error.status)


def _limit(request: Request) -> int:
    try:
        limit = int(request.query_params.get("limit", "20"))
    except ValueError:
        raise HTTPError(422, "bad limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise HTTPError(422, "bad limit")
    return limit


def _int_param(request: Request, name: str) -> int:
    try:
        value = int(request.query_params.get(name, "0"))
    except ValueError:
        raise HTTPError(422, f"bad {name}") from None
    if value < 0:
        raise HTTPError(422, f"bad {name}")
    return value


def _encode_cursor(created_at: str, row_id: int) -> str:
    raw = json.dumps([created_at, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), int(row_id)
    except (ValueError, TypeError):
        raise HTTPError(400, "bad cursor") from None


def _user_id(request: Request) -> int:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise ValueError
        claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError):
        raise HTTPError(401, "Invalid or expired token") from None


def _post_input(data: Any) -> tuple[str, str, list[str]]:
    try:
        title, body = str(data["title"]).strip(), str(data["body"])
        tags = list(dict.fromkeys(str(t).strip().lower() for t in data["tags"]))
    except (KeyError, TypeError):
        raise HTTPError(422, "title, body and tags are required") from None
    if not title or not body or len(tags) > 10 or not all(tags):
        raise HTTPError(422, "invalid post")
    return title, body, tags


def _page(items: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    following = None
    if len(items) > limit:
        del items[limit:]
        following = _encode_cursor(items[-1]["created_at"], items[-1]["id"])
    return {"items": items, "next_cursor": following}


# --- PostgreSQL: asyncpg -----------------------------------------------------


class Postgres:
    def __init__(self, soft: bool) -> None:
        self.pool: asyncpg.Pool | None = None
        live = "p.deleted_at IS NULL" if soft else "TRUE"
        self.live_users = " WHERE deleted_at IS NULL" if soft else ""
        comments = " AND c.deleted_at IS NULL" if soft else ""
        select = f"""
            SELECT p.id, p.title, p.body, p.created_at, p.updated_at,
                   u.id AS author_id, u.name AS author_name,
                   ARRAY(SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                         WHERE pt.post_id = p.id ORDER BY t.name) AS tags,
                   (SELECT count(*) FROM comments c
                     WHERE c.post_id = p.id{comments}) AS comment_count
              FROM posts p JOIN users u ON u.id = p.author_id
        """
        order = "ORDER BY p.created_at DESC, p.id DESC LIMIT $1"
        self.first_page = f"{select} WHERE {live} {order}"
        self.after = (
            f"{select} WHERE {live} AND (p.created_at, p.id) < ($2, $3) {order}"
        )
        # Skip rows on the index alone, then build only the page's rows: the
        # select list's subqueries are not run for the 50 000 skipped rows.
        self.offset_page = (
            "WITH page AS (SELECT p.id FROM posts p"
            f" WHERE {live} {order} OFFSET $2)"
            f" {select} JOIN page ON page.id = p.id"
            " ORDER BY p.created_at DESC, p.id DESC"
        )
        self.one = f"{select} WHERE {live} AND p.id = $1"
        self.author = "SELECT id, name FROM users WHERE id = $1" + (
            " AND deleted_at IS NULL" if soft else ""
        )

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(
            DATABASE_URL, min_size=POOL_SIZE, max_size=POOL_SIZE
        )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    @staticmethod
    def _post(row: asyncpg.Record) -> dict[str, Any]:
        return {
            "id": row["id"],
            "title": row["title"],
            "body": row["body"],
            "author": {"id": row["author_id"], "name": row["author_name"]},
            "tags": list(row["tags"]),
            "comment_count": row["comment_count"],
            "created_at": row["created_at"].isoformat(),
            "updated_at": row["updated_at"].isoformat(),
        }

    async def health(self, _request: Request) -> JSONResponse:
        assert self.pool is not None  # opened at start-up
        await self.pool.fetchval("SELECT 1")
        return JSONResponse({"status": "ok", "database": "ok"})

    async def users(self, request: Request) -> JSONResponse:
        assert self.pool is not None
        limit, offset = _limit(request), _int_param(request, "offset")
        async with self.pool.acquire() as connection:
            total = await connection.fetchval(
                f"SELECT count(*) FROM users{self.live_users}"
            )
            rows = await connection.fetch(
                f"SELECT id, name, email, created_at FROM users{self.live_users}"
                " ORDER BY id LIMIT $1 OFFSET $2",
                limit,
                offset,
            )
        items = [{**dict(r), "created_at": r["created_at"].isoformat()} for r in rows]
        return JSONResponse(
            {"items": items, "total": total, "limit": limit, "offset": offset}
        )

    async def posts(self, request: Request) -> JSONResponse:
        assert self.pool is not None
        limit = _limit(request)
        cursor = request.query_params.get("cursor")
        if cursor:
            created_at, row_id = _decode_cursor(cursor)
            rows = await self.pool.fetch(self.after, limit + 1, created_at, row_id)
        elif "offset" in request.query_params:
            offset = _int_param(request, "offset")
            rows = await self.pool.fetch(self.offset_page, limit + 1, offset)
        else:
            rows = await self.pool.fetch(self.first_page, limit + 1)
        return JSONResponse(_page([self._post(r) for r in rows], limit))

    async def post(self, request: Request) -> JSONResponse:
        assert self.pool is not None
        row = await self.pool.fetchrow(self.one, int(request.path_params["post_id"]))
        if row is None:
            raise HTTPError(404, "Post not found")
        return JSONResponse(self._post(row))

    async def create(self, request: Request) -> JSONResponse:
        assert self.pool is not None
        user_id = _user_id(request)
        title, body, tags = _post_input(await request.json())
        now = datetime.now(UTC)
        async with self.pool.acquire() as connection, connection.transaction():
            author = await connection.fetchrow(self.author, user_id)
            if author is None:
                raise HTTPError(401, "Invalid or expired token")
            if tags:
                await connection.execute(
                    "INSERT INTO tags (name) SELECT unnest($1::varchar[])"
                    " ON CONFLICT (name) DO NOTHING",
                    tags,
                )
            post_id = await connection.fetchval(
                "INSERT INTO posts (title, body, author_id, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, $4) RETURNING id",
                title,
                body,
                user_id,
                now,
            )
            if tags:
                await connection.execute(
                    "INSERT INTO post_tags (post_id, tag_id)"
                    " SELECT $1, id FROM tags WHERE name = ANY($2::varchar[])",
                    post_id,
                    tags,
                )
        return JSONResponse(
            {
                "id": post_id,
                "title": title,
                "body": body,
                "author": {"id": author["id"], "name": author["name"]},
                "tags": sorted(tags),
                "comment_count": 0,
                "created_at": now.isoformat(),
                "updated_at": now.isoformat(),
            },
            status_code=201,
        )


# --- SQLite: sqlite3 ---------------------------------------------------------


def _sqlite_time(value: datetime) -> str:
    """SQLAlchemy's storage format for SQLite DATETIME (UTC, no offset)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _iso(stored: str) -> str:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat()


class SQLite:
    def __init__(self, soft: bool) -> None:
        self.path = DATABASE_URL.removeprefix("sqlite:///")
        self.local = threading.local()
        self.counts: list[list[int]] = []
        live = "p.deleted_at IS NULL" if soft else "1"
        self.live_users = " WHERE deleted_at IS NULL" if soft else ""
        comments = " AND c.deleted_at IS NULL" if soft else ""
        select = f"""
            SELECT p.id, p.title, p.body, p.created_at, p.updated_at,
                   u.id AS author_id, u.name AS author_name,
                   (SELECT json_group_array(name) FROM (
                        SELECT t.name AS name FROM post_tags pt
                          JOIN tags t ON t.id = pt.tag_id
                         WHERE pt.post_id = p.id ORDER BY t.name)) AS tags,
                   (SELECT count(*) FROM comments c
                     WHERE c.post_id = p.id{comments}) AS comment_count
              FROM posts p JOIN users u ON u.id = p.author_id
        """
        order = "ORDER BY p.created_at DESC, p.id DESC LIMIT ?"
        self.first_page = f"{select} WHERE {live} {order}"
        self.after = f"{select} WHERE {live} AND (p.created_at, p.id) < (?, ?) {order}"
        self.offset_page = (
            "WITH page AS (SELECT p.id FROM posts p"
            f" WHERE {live} {order} OFFSET ?)"
            f" {select} JOIN page ON page.id = p.id"
            " ORDER BY p.created_at DESC, p.id DESC"
        )
        self.one = f"{select} WHERE {live} AND p.id = ?"
        self.author = "SELECT id, name FROM users WHERE id = ?" + (
            " AND deleted_at IS NULL" if soft else ""
        )

    def connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self.local, "connection", None)
        if connection is None:
            count = [0]
            self.counts.append(count)
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False
            )

            def counted(_statement: str) -> None:
                count[0] += 1

            connection.set_trace_callback(counted)
            connection.row_factory = sqlite3.Row
            for pragma in (
                "foreign_keys=ON",
                "busy_timeout=30000",
                "journal_mode=WAL",
                "synchronous=NORMAL",
            ):
                connection.execute(f"PRAGMA {pragma}")
            self.local.connection = connection
        return connection

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    @staticmethod
    def _post(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "title": row["title"],
            "body": row["body"],
            "author": {"id": row["author_id"], "name": row["author_name"]},
            "tags": json.loads(row["tags"]),
            "comment_count": row["comment_count"],
            "created_at": _iso(row["created_at"]),
            "updated_at": _iso(row["updated_at"]),
        }

    def health(self, _request: Request) -> JSONResponse:
        self.connection().execute("SELECT 1").fetchone()
        return JSONResponse({"status": "ok", "database": "ok"})

    def users(self, request: Request) -> JSONResponse:
        limit, offset = _limit(request), _int_param(request, "offset")
        connection = self.connection()
        (total,) = connection.execute(
            f"SELECT count(*) FROM users{self.live_users}"
        ).fetchone()
        rows = connection.execute(
            f"SELECT id, name, email, created_at FROM users{self.live_users}"
            " ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        items = [{**dict(r), "created_at": _iso(r["created_at"])} for r in rows]
        return JSONResponse(
            {"items": items, "total": total, "limit": limit, "offset": offset}
        )

    def posts(self, request: Request) -> JSONResponse:
        limit = _limit(request)
        cursor = request.query_params.get("cursor")
        connection = self.connection()
        if cursor:
            created_at, row_id = _decode_cursor(cursor)
            rows = connection.execute(
                self.after, (_sqlite_time(created_at), row_id, limit + 1)
            ).fetchall()
        elif "offset" in request.query_params:
            offset = _int_param(request, "offset")
            rows = connection.execute(self.offset_page, (limit + 1, offset)).fetchall()
        else:
            rows = connection.execute(self.first_page, (limit + 1,)).fetchall()
        return JSONResponse(_page([self._post(r) for r in rows], limit))

    def post(self, request: Request) -> JSONResponse:
        row = (
            self.connection()
            .execute(self.one, (int(request.path_params["post_id"]),))
            .fetchone()
        )
        if row is None:
            raise HTTPError(404, "Post not found")
        return JSONResponse(self._post(row))

    def create(self, request: Request) -> JSONResponse:
        user_id = _user_id(request)
        # The body was read by the async wrapper below.
        title, body, tags = _post_input(request.state.json)
        now = datetime.now(UTC)
        connection = self.connection()
        # Take the write lock now: a read transaction that later tries to write
        # fails at once (SQLITE_BUSY) instead of waiting for the busy timeout.
        connection.execute("BEGIN IMMEDIATE")
        try:
            author = connection.execute(self.author, (user_id,)).fetchone()
            if author is None:
                raise HTTPError(401, "Invalid or expired token")
            connection.executemany(
                "INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
                [(t,) for t in tags],
            )
            (post_id,) = connection.execute(
                "INSERT INTO posts (title, body, author_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (title, body, user_id, _sqlite_time(now), _sqlite_time(now)),
            ).fetchone()
            if tags:
                marks = ", ".join("?" * len(tags))
                connection.execute(
                    "INSERT INTO post_tags (post_id, tag_id)"
                    f" SELECT ?, id FROM tags WHERE name IN ({marks})",
                    (post_id, *tags),
                )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return JSONResponse(
            {
                "id": post_id,
                "title": title,
                "body": body,
                "author": {"id": author["id"], "name": author["name"]},
                "tags": sorted(tags),
                "comment_count": 0,
                "created_at": now.isoformat(),
                "updated_at": now.isoformat(),
            },
            status_code=201,
        )

    async def sql_counts(self, _request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "statements": sum(c[0] for c in self.counts),
                "connections": len(self.counts),
            }
        )


def _with_json(endpoint: Callable[[Request], JSONResponse]) -> Any:
    """Read the body on the event loop, then run a sync endpoint in the pool."""

    async def wrapped(request: Request) -> JSONResponse:
        request.state.json = await request.json()
        return await run_in_threadpool(endpoint, request)

    return wrapped


def _soft_delete(url: str) -> bool:
    """Whether the schema has `deleted_at` (a soft-delete bake migrated it)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            columns = connection.execute("PRAGMA table_info(posts)").fetchall()
        finally:
            connection.close()
        return any(c[1] == "deleted_at" for c in columns)

    async def probe() -> bool:
        connection = await asyncpg.connect(url)
        try:
            return bool(
                await connection.fetchval(
                    "SELECT count(*) FROM information_schema.columns"
                    " WHERE table_name = 'posts' AND column_name = 'deleted_at'"
                )
            )
        finally:
            await connection.close()

    return asyncio.run(probe())


def create_app() -> Starlette:
    store: Postgres | SQLite
    soft = _soft_delete(DATABASE_URL)
    if DATABASE_URL.startswith("sqlite"):
        store = SQLite(soft)
        create = _with_json(store.create)
        extra = [Route("/__bench__/sql", store.sql_counts)]
    else:
        store = Postgres(soft)
        create, extra = store.create, []

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await store.open()
        yield
        await store.close()

    routes = [
        Route("/health", store.health),
        Route("/api/v1/users", store.users),
        Route("/api/v1/posts", store.posts, methods=["GET"]),
        Route("/api/v1/posts", create, methods=["POST"]),
        Route("/api/v1/posts/{post_id:int}", store.post),
        *extra,
    ]
    return Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPError: _error}
    )


app = create_app()
