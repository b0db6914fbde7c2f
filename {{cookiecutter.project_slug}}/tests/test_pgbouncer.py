"""Behind PgBouncer in transaction mode, with DATABASE_POOLER=pgbouncer.

A real PgBouncer (tests/pgbouncer.py) in front of the test server, and the
app served by 2 uvicorn worker processes through it, to concurrent clients.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import URL, text

from app.config import Settings
from app.database import create_engine_from
from tests import environment
from tests.conftest import PASSWORD
from tests.pgbouncer import PgBouncer
from tests.test_fleet import app_environment, author_headers, serving

WORKERS = 2
CLIENTS = 8
ROUNDS = 24
# only: async
# Runs of one query, each on the other server: a statement the driver kept
# prepared from the run before is not there.
# end: async
# only: sync
# More runs of one query on each server than psycopg's default prepare
# threshold (5), after which it would prepare the query.
# end: sync
REPEATS = 12


@pytest.fixture
def bouncer() -> Iterator[PgBouncer]:
    pgbouncer = PgBouncer(environment.url).start()
    try:
        yield pgbouncer
    finally:
        pgbouncer.stop()


def pooled_environment(bouncer: PgBouncer, database: URL) -> dict[str, str]:
    """The app's environment behind PgBouncer; migrations go to the server."""
    return app_environment(bouncer.url(database)) | {
        "DATABASE_POOLER": "pgbouncer",
        "MIGRATIONS_DATABASE_URL": database.render_as_string(hide_password=False),
    }


@pytest.fixture
def served(scratch: URL, bouncer: PgBouncer) -> Iterator[str]:
    """The URL of the app, migrated and served by 2 workers through PgBouncer."""
    with serving(pooled_environment(bouncer, scratch), WORKERS) as base:
        yield base


def contract(base: str, number: int) -> tuple[int, list[str]]:
    """One user's round of the API: the requests made, and the unexpected answers."""
    problems: list[str] = []
    sent = 0

    def expect(status: int, response: httpx.Response) -> httpx.Response:
        nonlocal sent
        sent += 1
        if response.status_code != status:
            request = f"{response.request.method} {response.request.url.path}"
            problems.append(f"{request}: {response.status_code} {response.text[:200]}")
        return response

    email = f"user{number}@example.com"
    with httpx.Client(base_url=base, timeout=30) as client:
        body = {"name": f"User {number}", "email": email, "password": PASSWORD}
        expect(201, client.post("/api/v1/users", json=body))
        form = {"username": email, "password": PASSWORD}
        token = expect(200, client.post("/api/v1/auth/token", data=form))
        if token.status_code != 200:
            return sent, problems
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        post = {"title": f"Post {number}", "body": "Text.", "tags": ["news"]}
        created = expect(201, client.post("/api/v1/posts", json=post, headers=headers))
        expect(200, client.get("/api/v1/posts"))
        if created.status_code != 201:
            return sent, problems
        url = f"/api/v1/posts/{created.json()['id']}"
        comment = {"body": "First."}
        expect(201, client.post(f"{url}/comments", json=comment, headers=headers))
        expect(200, client.get(f"{url}/comments"))
        expect(204, client.delete(url, headers=headers))
        expect(404, client.get(url))
    return sent, problems


def contracts_at_once(base: str) -> tuple[int, list[str]]:
    """ROUNDS contracts by CLIENTS concurrent clients: requests, unexpected answers."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: contract(base, n), range(ROUNDS)))
    return sum(sent for sent, _ in results), [p for _, ps in results for p in ps]


def comments_at_once(base: str, times: int) -> tuple[Counter[int], int]:
    """`times` comments on one post at once: their statuses, and those listed."""
    headers = author_headers(base)
    post = {"title": "Busy", "body": "Say something."}
    created = httpx.post(f"{base}/api/v1/posts", json=post, headers=headers)
    comments = f"{base}/api/v1/posts/{created.json()['id']}/comments"

    def comment(number: int) -> int:
        answer = {"body": f"Comment {number}"}
        response = httpx.post(comments, json=answer, headers=headers, timeout=30)
        return response.status_code

    with ThreadPoolExecutor(times) as pool:
        statuses = Counter(pool.map(comment, range(times)))
    listed = httpx.get(comments, params={"limit": 100}).json()["items"]
    return statuses, len(listed)


def tag_replacements_at_once(
    base: str, times: int
) -> tuple[Counter[int], list[list[str]], list[str]]:
    """`times` replacements of one post's tags at once, through both workers:
    their statuses, the sets sent, and the tags the post ends with."""
    headers = author_headers(base)
    post = {"title": "Tagged", "body": "Text.", "tags": ["old", "shared"]}
    created = httpx.post(f"{base}/api/v1/posts", json=post, headers=headers)
    url = f"{base}/api/v1/posts/{created.json()['id']}"
    # Overlapping sets: each replacement keeps some links and drops others.
    sets = [sorted({f"only{i}", "shared", f"pair{i // 2}"}) for i in range(times)]

    def replace(tags: list[str]) -> int:
        response = httpx.patch(url, json={"tags": tags}, headers=headers, timeout=30)
        return response.status_code

    with ThreadPoolExecutor(times) as pool:
        statuses = Counter(pool.map(replace, sets))
    return statuses, sets, httpx.get(url).json()["tags"]


def sign_ups_of_one_email(base: str, times: int) -> Counter[int]:
    body = {"name": "Racer", "email": "same@example.com", "password": PASSWORD}

    def sign_up(_: int) -> int:
        return httpx.post(f"{base}/api/v1/users", json=body, timeout=30).status_code

    with ThreadPoolExecutor(times) as pool:
        return Counter(pool.map(sign_up, range(times)))


async def test_a_connection_repeats_a_query_on_whichever_server_it_is_lent(
    scratch: URL, bouncer: PgBouncer
) -> None:
    settings = Settings(
        database_url=bouncer.url(scratch).render_as_string(hide_password=False),
        database_pooler="pgbouncer",
    )
    engine = create_engine_from(settings)
    backend_pid = text("SELECT pg_backend_pid()")
    pids = []
    try:
        async with engine.connect() as holder, engine.connect() as client:
            # The holder's open transaction keeps one server connection busy;
            # committing the client's last lends the client's server to the
            # holder next time, so the two swap servers on every round.
            for _ in range(REPEATS):
                await holder.execute(text("SELECT 1"))
                pids.append(await client.scalar(backend_pid))
                await holder.commit()
                await client.commit()
    finally:
        await engine.dispose()

    # One client connection, several server connections: transaction mode.
    # (In session mode each client keeps one server connection to itself.)
    assert len(set(pids)) == 2


async def test_the_api_contract_holds_through_pgbouncer_with_2_workers(
    served: str,
) -> None:
    # unasync: sent, problems = contracts_at_once(served)
    sent, problems = await asyncio.to_thread(contracts_at_once, served)

    assert problems == []
    assert sent == ROUNDS * 8


async def test_one_email_signed_up_at_once_through_pgbouncer_gets_one_201(
    served: str,
) -> None:
    # unasync: statuses = sign_ups_of_one_email(served, 10)
    statuses = await asyncio.to_thread(sign_ups_of_one_email, served, 10)

    assert statuses == {201: 1, 409: 9}


async def test_comments_on_one_post_at_once_through_pgbouncer_all_persist(
    served: str,
) -> None:
    # unasync: statuses, listed = comments_at_once(served, 10)
    statuses, listed = await asyncio.to_thread(comments_at_once, served, 10)

    assert statuses == {201: 10}
    assert listed == 10


async def test_tag_replacements_of_one_post_through_pgbouncer_leave_one_whole_set(
    served: str,
) -> None:
    # unasync: statuses, sets, final = tag_replacements_at_once(served, 8)
    statuses, sets, final = await asyncio.to_thread(tag_replacements_at_once, served, 8)

    assert statuses == {200: 8}
    assert final in sets
