"""Benchmark every combination of the template against a raw baseline.

    .venv/bin/python benchmarks/run.py [--combos all] [--users 10000]
        [--posts 100000] [--comments 200000] [--duration 10] [--rounds 3]

For each chosen combination it bakes the template into a temporary directory,
migrates and seeds it with the bake's own commands (`python -m app migrate`,
`python -m app seed`) and starts it with uvicorn (one worker, access log off,
ENVIRONMENT=production). PostgreSQL bakes share one throwaway server, one
database each. A raw baseline (benchmarks/baseline.py: Starlette, the bare
driver, hand-written SQL) runs beside them on a database seeded the same way.

Load comes from wrk in a process of its own (16 connections), or from the
asyncio client in load.py when wrk cannot be had. Rounds are interleaved: in
each round every scenario runs against every target in turn, so drift on a
shared machine hits them alike; the table shows medians over the rounds.

Counted per run, outside the server's hot path:
- peak RSS: the kernel's high-water mark (VmHWM), reset before each run;
- SQL statements: pg_stat_statements for PostgreSQL, a SQLite trace callback
  (benchmarks/instrument.py) for SQLite; both include BEGIN and COMMIT;
- new database connections: the server log (log_connections) for PostgreSQL,
  the pool's connect events for SQLite;
- durability, while creating: a probe writes posts through the API during the
  load and checks that each 201 is already committed, and the rows added must
  cover every 2xx.

Results: printed, and written as Markdown and JSON to benchmarks/results/.
Nothing is installed: run it with the template's venv, which has every driver.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import psycopg
from load import Result, Spec, ensure_wrk, run_python, run_wrk
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
TEMPLATE = ROOT / "{{cookiecutter.project_slug}}"
COMBINATIONS = [
    f"{access}-{database}-{mode}"
    for access in ("sync", "async")
    for database in ("sqlite", "postgresql")
    for mode in ("soft", "hard")
]
# Clients that log in without pause beside the load of `create-login`. A login
# hashes on purpose (Argon2): it shows whether writers wait for that hashing.
LOGIN_CLIENTS = 1
# In the order each round runs them; creating last keeps the read pages apart
# from rows written in the same round.
SCENARIOS = {
    "health": "GET /health",
    "users": "GET /api/v1/users?limit=20 (offset page, with total)",
    "posts": "GET /api/v1/posts?limit=20 (author, tags, comment count)",
    "post": "GET /api/v1/posts/{id}, a random live post",
    "deep-cursor": "GET /api/v1/posts?limit=20&cursor=... after row N (--deep)",
    "deep-offset": "GET /api/v1/posts?limit=20&offset=N: baseline only",
    "create": "POST /api/v1/posts with 3 tags, bearer token",
    "create-login": f"create, while {LOGIN_CLIENTS} more client logs in (bakes)",
}
PASSWORD = "benchmark-password-0"  # noqa: S105 - a throwaway account
PROBE_ROLE = "bench_probe"
# --fleet: workers per server, and PgBouncer's server connections per database.
FLEET_WORKERS = 2
PGBOUNCER_POOL_SIZE = 20
MIB = 1024 * 1024


def log(message: str) -> None:
    print(message, flush=True)


# --- processes and HTTP ------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a bake's commands: nothing of ours or pytest's leaks in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "TEST_DATABASE_URL", "VIRTUAL_ENV_PROMPT"))
        and k not in {"DATABASE_URL", "ENVIRONMENT", "SECRET_KEY"}
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env | extra


def run_command(
    args: list[str], *, cwd: Path, env: dict[str, str], what: str
) -> tuple[float, str]:
    """Run a command to completion; returns its seconds and output, or raises."""
    start = time.perf_counter()
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        msg = f"{what} failed:\n$ {shlex.join(args)}\n{output}"
        raise RuntimeError(msg)
    return seconds, result.stdout + result.stderr


def load_test_helper(name: str) -> ModuleType:
    """One of the bakes' own test helpers (tests/<name>.py of the template)."""
    spec = importlib.util.spec_from_file_location(
        name, TEMPLATE / "tests" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def load_pg_server() -> ModuleType:
    """The bakes' own throwaway-server helper (tests/pg_server.py)."""
    return load_test_helper("pg_server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_call(
    port: int,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, Any]:
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
    finally:
        if own:
            connection.close()
    try:
        return response.status, json.loads(raw) if raw else None
    except ValueError:
        return response.status, raw.decode(errors="replace")


# --- databases ---------------------------------------------------------------


class Postgres:
    """One throwaway server for the run, with statement and connection accounting."""

    def __init__(self) -> None:
        self.server = load_pg_server().PostgresServer().start()
        with psycopg.connect(self.server.url(), autocommit=True) as connection:
            connection.execute(
                "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
            )
            connection.execute("ALTER SYSTEM SET log_connections = on")
        self.server.pause()  # restart, to load pg_stat_statements
        self.server.resume()
        self.admin = psycopg.connect(self.server.url(), autocommit=True)
        self.admin.execute("CREATE EXTENSION pg_stat_statements")
        self.admin.execute(f"CREATE ROLE {PROBE_ROLE} LOGIN SUPERUSER")
        self.version = self.admin.execute("SHOW server_version").fetchone()[0]
        self.log = self.server.root / "server.log"

    def create_database(self, name: str) -> None:
        self.admin.execute(f'CREATE DATABASE "{name}"')

    def url(self, name: str, driver: str = "postgresql", user: str = "postgres") -> str:
        return f"{driver}://{user}@127.0.0.1:{self.server.port}/{name}"

    def statements(self, name: str) -> int:
        """Statements run so far in database `name` by the apps (not the probe)."""
        row = self.admin.execute(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s)"
            " AND userid = 'postgres'::regrole",
            (name,),
        ).fetchone()
        return int(row[0])

    def top_statements(self, name: str, limit: int = 12) -> list[dict[str, Any]]:
        """What the apps ran in database `name` over the whole run, most run first."""
        rows = self.admin.execute(
            "SELECT calls, mean_exec_time,"
            " left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
            " FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s)"
            " AND userid = 'postgres'::regrole ORDER BY calls DESC LIMIT %s",
            (name, limit),
        ).fetchall()
        return [{"calls": c, "mean_ms": round(m, 3), "query": q} for c, m, q in rows]

    def connections(self, name: str) -> int:
        """Connections opened so far to database `name` by the apps."""
        pattern = f"connection authorized: user=postgres database={name} "
        text = self.log.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if f"{line} ".count(pattern))

    def stop(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.admin.close()
        self.server.stop()


class Database:
    """The runner's own view of a target's database, as the probe role."""

    def __init__(self, pg: Postgres | None, name: str, sqlite_path: Path | None):
        self.pg, self.name, self.sqlite_path = pg, name, sqlite_path

    def url(self, driver: str) -> str:
        if self.pg is not None:
            return self.pg.url(self.name, driver)
        return f"{driver}:///{self.sqlite_path}"

    def connect(self) -> Any:
        if self.pg is not None:
            return psycopg.connect(
                self.pg.url(self.name, user=PROBE_ROLE), autocommit=True
            )
        return sqlite3.connect(self.sqlite_path, isolation_level=None, timeout=30)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        connection = self.connect()
        try:
            if self.pg is not None:
                sql = sql.replace("?", "%s")
            return list(connection.execute(sql, params).fetchall())
        finally:
            connection.close()


# --- targets -----------------------------------------------------------------


@dataclass
class Target:
    """A server under test: a bake, or the raw baseline of one database."""

    name: str
    database: str
    soft: bool
    db: Database
    workdir: Path  # its logs
    cwd: Path  # where uvicorn runs
    app: str  # uvicorn's APP argument
    app_dir: Path  # uvicorn's --app-dir
    env: dict[str, str]
    setup: dict[str, Any] = field(default_factory=dict)
    workers: int = 1  # uvicorn worker processes
    pooler: Any = None  # the PgBouncer it is served through (--fleet)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    specs: dict[str, Spec] = field(default_factory=dict)
    login: dict[str, str] = field(default_factory=dict)

    @property
    def baseline(self) -> bool:
        return self.name.startswith("baseline")

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    self.app,
                    "--host=127.0.0.1",
                    f"--port={self.port}",
                    "--no-access-log",
                    "--log-level=warning",
                    f"--app-dir={self.app_dir}",
                    f"--workers={self.workers}",
                ],
                cwd=self.cwd,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError):
                if http_call(self.port, "GET", "/health")[0] == 200:
                    return
            time.sleep(0.2)
        tail = self.log_path.read_text(errors="replace")[-3000:]
        msg = f"{self.name} did not become healthy on port {self.port}:\n{tail}"
        raise RuntimeError(msg)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.pooler is not None:
            self.pooler.stop()

    def pids(self) -> list[int]:
        """The server's processes: uvicorn's own, or its workers when it has several."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    # What the runner reads around each run, none of it in the server's hot path.

    def counters(self) -> tuple[int, int]:
        """(SQL statements, connections opened) by this server so far."""
        if self.db.pg is not None:
            return (
                self.db.pg.statements(self.db.name),
                self.db.pg.connections(self.db.name),
            )
        status, data = http_call(self.port, "GET", "/__bench__/sql")
        if status != 200:
            msg = f"{self.name}: /__bench__/sql answered {status}: {data}"
            raise RuntimeError(msg)
        return data["statements"], data["connections"]

    def reset_peak_rss(self) -> None:
        # Linux: writing 5 resets the high-water mark (VmHWM) to the current RSS.
        for pid in self.pids():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_rss_mib(self) -> float | None:
        """The peak RSS of the largest worker."""
        peaks = []
        for pid in self.pids():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                peaks += [
                    int(line.split()[1]) * 1024 / MIB
                    for line in status.splitlines()
                    if line.startswith("VmHWM:")
                ]
        return max(peaks, default=None)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server's workers so far."""
        total = 0.0
        pids = self.pids()
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                return None
            fields = stat.rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total if pids else None

    def count_posts(self) -> int:
        return int(self.db.query("SELECT count(*) FROM posts")[0][0])

    def settled_post_count(self) -> int:
        """The post count once the requests still in flight have finished."""
        last = self.count_posts()
        for _ in range(50):
            time.sleep(0.2)
            now = self.count_posts()
            if now == last:
                break
            last = now
        return last

    def token(self) -> str:
        """A fresh bearer token (a long run would outlive one)."""
        if self.baseline:
            claims = {
                "sub": self.login["user_id"],
                "exp": datetime.now(UTC) + timedelta(hours=1),
            }
            return jwt.encode(claims, self.env["SECRET_KEY"], algorithm="HS256")
        status, data = http_call(
            self.port,
            "POST",
            "/api/v1/auth/token",
            body=urlencode(
                {"username": self.login["email"], "password": self.login["password"]}
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 200:
            msg = f"{self.name}: login answered {status}: {data}"
            raise RuntimeError(msg)
        return str(data["access_token"])


# --- setting up --------------------------------------------------------------


def bake(combination: str, work: Path) -> tuple[Path, float]:
    access, database, mode = combination.split("-")
    seconds, _ = run_command(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(work / combination),
            str(ROOT),
            f"database_access={access}",
            f"database={database}",
            f"delete_mode={mode}",
        ],
        cwd=work,
        env=clean_env(),
        what=f"baking {combination}",
    )
    (path,) = [p for p in (work / combination).iterdir() if p.is_dir()]
    return path, seconds


def migrate_and_seed(
    bake_path: Path,
    env: dict[str, str],
    args: argparse.Namespace,
    label: str,
    db: Database,
) -> dict[str, Any]:
    migrate_s, _ = run_command(
        [sys.executable, "-m", "app", "migrate"],
        cwd=bake_path,
        env=env,
        what=f"migrating {label}",
    )
    seed = [
        *("--users", str(args.users)),
        *("--posts", str(args.posts)),
        *("--comments", str(args.comments)),
    ]
    seed_s, output = run_command(
        [sys.executable, "-m", "app", "seed", *seed],
        cwd=bake_path,
        env=env,
        what=f"seeding {label}",
    )
    rate = re.search(r"\(([\d,]+) rows/s\)", output)
    if db.pg is not None:
        # What autovacuum would do within a minute of a bulk load: fresh planner
        # statistics and visibility map, so the runs see steady-state plans.
        connection = db.connect()
        try:
            connection.execute("VACUUM ANALYZE")
        finally:
            connection.close()
    return {
        "migrate_s": round(migrate_s, 2),
        "seed_s": round(seed_s, 2),
        "seed_rows_per_s": int(rate.group(1).replace(",", "")) if rate else None,
    }


def driver_for(access: str, database: str) -> str:
    return {
        ("sync", "sqlite"): "sqlite",
        ("async", "sqlite"): "sqlite+aiosqlite",
        ("sync", "postgresql"): "postgresql+psycopg",
        ("async", "postgresql"): "postgresql+asyncpg",
    }[access, database]


def database_for(pg: Postgres | None, workdir: Path, name: str) -> Database:
    if pg is None:
        return Database(None, name, workdir / "bench.db")
    pg.create_database(name)
    return Database(pg, name, None)


def make_targets(
    combinations: list[str],
    args: argparse.Namespace,
    work: Path,
    pg: Postgres | None,
    secret: str,
) -> list[Target]:
    targets: list[Target] = []
    bakes: dict[str, Path] = {}
    for combination in combinations:
        access, database, mode = combination.split("-")
        path, bake_s = bake(combination, work)
        bakes[combination] = path
        workdir = work / combination
        db = database_for(
            pg if database == "postgresql" else None,
            workdir,
            "bench_" + combination.replace("-", "_"),
        )
        env = clean_env(
            DATABASE_URL=db.url(driver_for(access, database)),
            ENVIRONMENT="production",
            SECRET_KEY=secret,
            # The app's one line per request is an access log: off, as uvicorn's.
            LOG_LEVEL="WARNING",
        )
        log(f"{combination}: baked in {bake_s:.1f} s; migrating and seeding")
        setup = {"bake_s": round(bake_s, 2)}
        setup |= migrate_and_seed(path, env, args, combination, db)
        sqlite = database == "sqlite"
        targets.append(
            Target(
                name=combination,
                database=database,
                soft=mode == "soft",
                db=db,
                workdir=workdir,
                cwd=path,
                # SQLite has no server to count statements: see instrument.py.
                app="instrument:app" if sqlite else "app.main:app",
                app_dir=HERE if sqlite else path,
                env=env,
                setup=setup,
            )
        )
    if args.fleet and pg is not None:
        targets += fleet_targets(targets, pg)
    for database in ("postgresql", "sqlite"):
        chosen = [c for c in combinations if c.split("-")[1] == database]
        if not chosen:
            continue
        # The baseline's database is migrated and seeded by a bake of the same
        # database, hard delete preferred (then there is no deleted_at to filter).
        seeder = min(chosen, key=lambda c: (c.endswith("soft"), c.startswith("sync")))
        name = f"baseline-{database}"
        workdir = work / name
        workdir.mkdir()
        db = database_for(
            pg if database == "postgresql" else None, workdir, "bench_baseline"
        )
        env = clean_env(
            DATABASE_URL=db.url(driver_for(seeder.split("-")[0], database)),
            ENVIRONMENT="production",
            SECRET_KEY=secret,
        )
        log(f"{name}: migrating and seeding with the {seeder} bake")
        setup = {"seeded_by": seeder}
        setup |= migrate_and_seed(bakes[seeder], env, args, name, db)
        targets.append(
            Target(
                name=name,
                database=database,
                soft=seeder.endswith("soft"),
                db=db,
                workdir=workdir,
                cwd=workdir,
                app="baseline:app",
                app_dir=HERE,
                env=clean_env(
                    BASELINE_DATABASE_URL=db.url(
                        "postgresql" if database == "postgresql" else "sqlite"
                    ),
                    BASELINE_POOL_SIZE=str(args.connections),
                    SECRET_KEY=secret,
                    PYTHONDONTWRITEBYTECODE="1",
                ),
                setup=setup,
            )
        )
    return targets


def fleet_targets(bakes: list[Target], pg: Postgres) -> list[Target]:
    """Each PostgreSQL bake again with 2 workers, then 2 workers through PgBouncer.

    They serve the bake's own database: the runs take turns, so the counters
    of each run are still its own.
    """
    pgbouncer = load_test_helper("pgbouncer")
    server = make_url(pg.url("postgres"))
    fleet = []
    for bake in [t for t in bakes if t.database == "postgresql"]:
        fleet.append(replace(bake, name=f"{bake.name} 2w", workers=FLEET_WORKERS))
        pooler = pgbouncer.PgBouncer(server, pool_size=PGBOUNCER_POOL_SIZE).start()
        url = make_url(bake.env["DATABASE_URL"])
        fleet.append(
            replace(
                bake,
                name=f"{bake.name} 2w pgbouncer",
                workers=FLEET_WORKERS,
                pooler=pooler,
                env=bake.env
                | {
                    "DATABASE_URL": pooler.url(url).render_as_string(
                        hide_password=False
                    ),
                    "DATABASE_POOLER": "pgbouncer",
                },
            )
        )
    return fleet


def walk_to(target: Target, depth: int) -> str:
    """The posts cursor after `depth` rows, found by paging through the API."""
    cursor, seen = None, 0
    while seen < depth:
        query = {"limit": min(100, depth - seen)} | (
            {"cursor": cursor} if cursor else {}
        )
        status, page = http_call(
            target.port, "GET", f"/api/v1/posts?{urlencode(query)}"
        )
        if status != 200 or not page["next_cursor"]:
            msg = f"{target.name}: walking the posts stopped at row {seen}: {page}"
            raise RuntimeError(msg)
        seen += len(page["items"])
        cursor = page["next_cursor"]
    assert cursor is not None  # depth > 0
    return cursor


def prepare(target: Target, depth: int, rng: random.Random) -> None:
    """The requests of every scenario for this target, checked once each."""
    live = " WHERE deleted_at IS NULL" if target.soft else ""
    ids = [
        row[0]
        for row in target.db.query(
            f"SELECT id FROM posts{live} ORDER BY random() LIMIT 500"
        )
    ]
    tags = [
        row[0] for row in target.db.query("SELECT name FROM tags ORDER BY id LIMIT 30")
    ]
    tags += [f"benchmark-{i}" for i in range(3 - len(tags))]
    bodies = [
        json.dumps(
            {
                "title": f"Benchmark post {i}",
                "body": f"Written under load, number {i}. " * 8,
                "tags": rng.sample(tags, 3),
            }
        )
        for i in range(64)
    ]
    if target.baseline:
        user = target.db.query(f"SELECT id FROM users{live} ORDER BY id LIMIT 1")
        target.login = {"user_id": str(user[0][0])}
    else:
        email = f"bench-{secrets.token_hex(4)}@example.com"
        status, data = http_call(
            target.port,
            "POST",
            "/api/v1/users",
            body=json.dumps(
                {"name": "Bench Writer", "email": email, "password": PASSWORD}
            ),
            headers={"Content-Type": "application/json"},
        )
        if status != 201:
            msg = f"{target.name}: sign-up answered {status}: {data}"
            raise RuntimeError(msg)
        target.login = {"email": email, "password": PASSWORD}
    cursor = quote(walk_to(target, depth), safe="")
    target.specs = {
        "health": Spec("GET", ["/health"]),
        "users": Spec("GET", ["/api/v1/users?limit=20"]),
        "posts": Spec("GET", ["/api/v1/posts?limit=20"]),
        "post": Spec("GET", [f"/api/v1/posts/{i}" for i in ids]),
        "deep-cursor": Spec("GET", [f"/api/v1/posts?limit=20&cursor={cursor}"]),
        "create": Spec("POST", ["/api/v1/posts"], bodies),
    }
    if not target.baseline:
        target.specs["create-login"] = target.specs["create"]
    if target.baseline:
        target.specs["deep-offset"] = Spec(
            "GET", [f"/api/v1/posts?limit=20&offset={depth}"]
        )
    for scenario, spec in target.specs.items():
        creates = scenario.startswith("create")
        spec = with_token(target, spec) if creates else spec
        expected = 201 if creates else 200
        status, data = http_call(
            target.port,
            spec.method,
            spec.paths[0],
            body=spec.bodies[0] if spec.bodies else None,
            headers=spec.headers,
        )
        if status != expected:
            msg = f"{target.name} {scenario}: expected {expected}, got {status}: {data}"
            raise RuntimeError(msg)
        if (
            scenario in {"users", "posts", "deep-cursor", "deep-offset"}
            and len(data["items"]) != 20
        ):
            msg = (
                f"{target.name} {scenario}: expected 20 items, got {len(data['items'])}"
            )
            raise RuntimeError(msg)


def with_token(target: Target, spec: Spec) -> Spec:
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {target.token()}",
    }
    return Spec(spec.method, spec.paths, spec.bodies, headers)


# --- measuring ---------------------------------------------------------------


class DurabilityProbe(threading.Thread):
    """Writes posts through the API while the load runs; each 201 must already be
    committed, so the probe's own connection to the database finds the row."""

    def __init__(self, target: Target, spec: Spec, interval: float) -> None:
        super().__init__(daemon=True)
        self.target, self.spec, self.interval = target, spec, interval
        self.halt = threading.Event()
        self.sent = self.created = self.committed = 0

    def run(self) -> None:
        db = self.target.db.connect()
        client = http.client.HTTPConnection("127.0.0.1", self.target.port, timeout=60)
        marker = "?" if self.target.db.pg is None else "%s"
        try:
            while not self.halt.wait(self.interval):
                status, data = http_call(
                    self.target.port,
                    "POST",
                    self.spec.paths[0],
                    body=self.spec.bodies[0],
                    headers=self.spec.headers,
                    connection=client,
                )
                self.sent += 1
                if status == 201:
                    self.created += 1
                    found = db.execute(
                        f"SELECT 1 FROM posts WHERE id = {marker}", (data["id"],)
                    ).fetchone()
                    self.committed += found is not None
        finally:
            client.close()
            db.close()


class Logins(threading.Thread):
    """Logs in without pause, over one kept-alive connection, until halted."""

    def __init__(self, target: Target) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.halt = threading.Event()
        self.sent = self.failed = 0

    def run(self) -> None:
        client = http.client.HTTPConnection("127.0.0.1", self.target.port, timeout=60)
        form = urlencode({"username": self.target.login["email"], "password": PASSWORD})
        try:
            while not self.halt.is_set():
                status, _ = http_call(
                    self.target.port,
                    "POST",
                    "/api/v1/auth/token",
                    body=form,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    connection=client,
                )
                self.sent += 1
                self.failed += status != 200
        finally:
            client.close()


@dataclass
class Run:
    target: str
    scenario: str
    round: int
    result: Result
    rss_mib: float | None
    statements: int
    connections: int
    probe_requests: int = 0  # the durability probe's and logins, beside the load
    cpu_s: float | None = None  # the server's CPU time during the run
    durability: dict[str, int] | None = None

    @property
    def served(self) -> int:
        return self.result.requests + self.probe_requests

    @property
    def statements_per_request(self) -> float | None:
        return self.statements / self.served if self.served else None

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_s is None or not self.served:
            return None
        return self.cpu_s * 1000 / self.served

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "target": self.target,
            "scenario": self.scenario,
            "round": self.round,
            "requests": r.requests,
            "seconds": round(r.seconds, 3),
            "rps": round(r.rps, 1),
            "p50_ms": round(r.p50_ms, 3),
            "p99_ms": round(r.p99_ms, 3),
            "non_2xx": r.non_2xx,
            "tool": r.tool,
            "peak_rss_mib": None if self.rss_mib is None else round(self.rss_mib, 1),
            "statements": self.statements,
            "probe_requests": self.probe_requests,
            "cpu_s": None if self.cpu_s is None else round(self.cpu_s, 3),
            "new_connections": self.connections,
            "durability": self.durability,
        }


class Loader:
    def __init__(self, choice: str, connections: int) -> None:
        self.connections = connections
        self.wrk = ensure_wrk() if choice in {"auto", "wrk"} else None
        if choice == "wrk" and self.wrk is None:
            msg = (
                "wrk is not installed and could not be installed (apt-get install wrk)"
            )
            raise SystemExit(msg)
        self.name = "wrk" if self.wrk else "python"

    def version(self) -> str:
        if self.wrk is None:
            return "asyncio client (benchmarks/load.py)"
        output = subprocess.run(
            [self.wrk, "-v"], capture_output=True, text=True, check=False
        )
        return (output.stdout + output.stderr).splitlines()[0].split(" [")[0]

    def __call__(self, target: Target, spec: Spec, seconds: float) -> Result:
        if self.wrk is not None:
            return run_wrk(self.wrk, target.url, spec, self.connections, seconds)
        return run_python(target.url, spec, self.connections, seconds)


def measure(
    target: Target, scenario: str, loader: Loader, seconds: float, rnd: int
) -> Run:
    spec = target.specs[scenario]
    probe = None
    if scenario == "create":
        spec = with_token(target, spec)
        rows_before = target.count_posts()
        probe = DurabilityProbe(target, spec, interval=max(0.05, seconds / 40))
    logins: list[Logins] = []
    if scenario == "create-login":
        spec = with_token(target, spec)
        logins = [Logins(target) for _ in range(LOGIN_CLIENTS)]
    statements_before, connections_before = target.counters()
    target.reset_peak_rss()
    cpu_before = target.cpu_seconds()
    beside: list[DurabilityProbe | Logins] = [*([probe] if probe else []), *logins]
    for thread in beside:
        thread.start()
    result = loader(target, spec, seconds)
    for thread in beside:
        thread.halt.set()
        thread.join()
    if any(login.failed for login in logins):
        msg = f"{target.name}: {sum(x.failed for x in logins)} logins failed"
        raise RuntimeError(msg)
    rss = target.peak_rss_mib()
    cpu_after = target.cpu_seconds()
    durability = None
    if probe:
        rows = target.settled_post_count() - rows_before
        ok = result.ok + probe.created
        durability = {
            "ok": ok,
            "rows_added": rows,
            "lost": max(0, ok - rows),
            # Requests wrk dropped at the deadline may still commit.
            "in_flight_at_stop": max(0, rows - ok),
            "probes": probe.created,
            "probes_committed": probe.committed,
        }
    statements_after, connections_after = target.counters()
    return Run(
        target=target.name,
        scenario=scenario,
        round=rnd,
        result=result,
        rss_mib=rss,
        statements=statements_after - statements_before,
        connections=connections_after - connections_before,
        probe_requests=(probe.sent if probe else 0) + sum(x.sent for x in logins),
        cpu_s=None
        if cpu_before is None or cpu_after is None
        else cpu_after - cpu_before,
        durability=durability,
    )


# --- reporting ---------------------------------------------------------------


def summarise(runs: list[Run], targets: list[Target]) -> list[dict[str, Any]]:
    """One row per target and scenario: medians over the rounds (sums for counts)."""
    rows = []
    for target in targets:
        for scenario in SCENARIOS:
            group = [
                r for r in runs if r.target == target.name and r.scenario == scenario
            ]
            if not group:
                continue
            rss = [r.rss_mib for r in group if r.rss_mib is not None]
            per_request = [
                r.statements_per_request
                for r in group
                if r.statements_per_request is not None
            ]
            cpu = [
                r.cpu_ms_per_request for r in group if r.cpu_ms_per_request is not None
            ]
            rows.append(
                {
                    "target": target.name,
                    "scenario": scenario,
                    "rps": statistics.median(r.result.rps for r in group),
                    "p50_ms": statistics.median(r.result.p50_ms for r in group),
                    "p99_ms": statistics.median(r.result.p99_ms for r in group),
                    "non_2xx": sum(r.result.non_2xx for r in group),
                    "requests": sum(r.result.requests for r in group),
                    "peak_rss_mib": max(rss) if rss else None,
                    "sql_per_request": statistics.median(per_request)
                    if per_request
                    else None,
                    "cpu_ms_per_request": statistics.median(cpu) if cpu else None,
                    "new_connections": sum(r.connections for r in group),
                    "rounds": len(group),
                }
            )
    by_key = {(r["target"], r["scenario"]): r for r in rows}
    for row in rows:
        database = row["target"].split("-")[1]
        # Creating beside logins is held up against the baseline's creating.
        scenario = "create" if row["scenario"] == "create-login" else row["scenario"]
        base = by_key.get((f"baseline-{database}", scenario))
        row["vs_baseline"] = row["rps"] / base["rps"] if base and base["rps"] else None
    return rows


def check_targets(rows: list[dict[str, Any]], runs: list[Run]) -> list[dict[str, Any]]:
    """The issue's targets, each with its verdict (None: not measured) and figures."""
    by_key = {(r["target"], r["scenario"]): r for r in rows}
    bakes = sorted(
        {r["target"] for r in rows if not r["target"].startswith("baseline")}
    )
    checks: list[dict[str, Any]] = []

    def add(name: str, figures: dict[str, float], passed: bool | None) -> None:
        checks.append({"target": name, "passed": passed, "figures": figures})

    ratios = {
        b: by_key[b, "posts"]["vs_baseline"]
        for b in bakes
        if b.startswith("async-postgresql")
        and by_key.get((b, "posts"), {}).get("vs_baseline")
    }
    add(
        "list posts >= 0.25x the baseline's req/s (async PostgreSQL)",
        ratios,
        all(v >= 0.25 for v in ratios.values()) if ratios else None,
    )
    spreads = {
        b: by_key[b, "create"]["p99_ms"] / by_key[b, "create"]["p50_ms"]
        for b in bakes
        if "postgresql" in b
        and (b, "create") in by_key
        and by_key[b, "create"]["p50_ms"]
    }
    add(
        "create p99 <= 5x its p50 (PostgreSQL)",
        spreads,
        all(v <= 5 for v in spreads.values()) if spreads else None,
    )
    errors = {
        f"{r['target']} {r['scenario']}": r["non_2xx"] for r in rows if r["non_2xx"]
    }
    add("0 non-2xx responses in every scenario", errors, not errors)
    peaks = {
        b: max(
            r["peak_rss_mib"] for r in rows if r["target"] == b and r["peak_rss_mib"]
        )
        for b in bakes
        if any(r["peak_rss_mib"] for r in rows if r["target"] == b)
    }
    add(
        "peak RSS of the worker <= 120 MiB",
        peaks,
        all(v <= 120 for v in peaks.values()) if peaks else None,
    )
    # Per round: the first may still grow the pool to the run's peak concurrency
    # (16 clients plus the durability probe while creating), once; a pool that
    # churns opens connections in every round.
    rounds = sorted({r.round for r in runs})
    opened = {
        b: [
            sum(r.connections for r in runs if r.target == b and r.round == n)
            for n in rounds
        ]
        for b in bakes
    }
    add(
        "no new database connections under steady load, once warm (after round 1)"
        " — connections opened in each round",
        {b: " + ".join(map(str, v)) for b, v in opened.items()},
        all(sum(v[1:]) == 0 for v in opened.values()) if len(rounds) > 1 else None,
    )
    deep = {
        t: by_key[t, "posts"]["rps"] / by_key[t, "deep-cursor"]["rps"]
        for t in sorted({r["target"] for r in rows})
        if (t, "posts") in by_key and (t, "deep-cursor") in by_key
    }
    add(
        "cursor deep page costs <= 1.5x the first page (first-page req/s / deep req/s)",
        deep,
        all(v <= 1.5 for k, v in deep.items() if k in bakes) if deep else None,
    )
    offset = {
        t: by_key[t, "posts"]["rps"] / by_key[t, "deep-offset"]["rps"]
        for t in sorted({r["target"] for r in rows})
        if (t, "posts") in by_key and (t, "deep-offset") in by_key
    }
    if offset:
        add("(for contrast) offset deep page cost vs the first page", offset, None)
    creates = [r for r in runs if r.durability]
    lost = {
        f"{r.target} round {r.round}": r.durability["lost"]
        + r.durability["probes"]
        - r.durability["probes_committed"]
        for r in creates
        if r.durability
        and (
            r.durability["lost"]
            or r.durability["probes"] != r.durability["probes_committed"]
        )
    }
    add(
        "durability: every 2xx create committed before its response",
        lost,
        not lost if creates else None,
    )
    return checks


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    lines = [
        "| combination | scenario | req/s | p50 ms | p99 ms | non-2xx | peak RSS MiB "
        "| SQL/req | new conns | CPU ms/req | vs baseline |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in report["rows"]:
        ratio = "—" if r["vs_baseline"] is None else f"{r['vs_baseline']:.2f}"
        lines.append(
            f"| {r['target']} | {r['scenario']} | {number(r['rps'], 0)} "
            f"| {number(r['p50_ms'], 2)} | {number(r['p99_ms'], 2)} | {r['non_2xx']} "
            f"| {number(r['peak_rss_mib'])} | {number(r['sql_per_request'])} "
            f"| {r['new_connections']} | {number(r['cpu_ms_per_request'], 2)} "
            f"| {ratio} |"
        )
    table = "\n".join(lines)
    rps = {(r["target"], r["scenario"]): r["rps"] for r in report["rows"]}
    scaling = [
        "| combination | scenario | 1 worker req/s | 2 workers req/s | ratio "
        "| 2 workers via PgBouncer req/s |",
        "|---|---|--:|--:|--:|--:|",
    ] + [
        f"| {target} | {scenario} | {number(one, 0)} | {number(two, 0)} "
        f"| {number(two / one if one and two else None, 2)} "
        f"| {number(rps.get((f'{target} 2w pgbouncer', scenario)), 0)} |"
        for (target, scenario), one in rps.items()
        if (two := rps.get((f"{target} 2w", scenario))) is not None
    ]
    durability = [
        "| combination | round | 2xx | rows added | in flight at stop "
        "| probes committed |",
        "|---|--:|--:|--:|--:|--:|",
    ] + [
        f"| {d['target']} | {d['round']} | {d['ok']} | {d['rows_added']} "
        f"| {d['in_flight_at_stop']} | {d['probes_committed']}/{d['probes']} |"
        for d in report["durability"]
    ]
    checks = []
    for c in report["targets"]:
        mark = {True: "met", False: "**MISSED**", None: "(info)"}[c["passed"]]
        figures = ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in c["figures"].items()
        )
        checks.append(f"- {mark}: {c['target']}" + (f" — {figures}" if figures else ""))
    setup = [
        "| target | bake s | migrate s | seed s | seed rows/s (its own figure) |",
        "|---|--:|--:|--:|---|",
    ] + [
        f"| {name} | {number(s.get('bake_s'))} | {number(s.get('migrate_s'))} "
        f"| {number(s.get('seed_s'))} | {number(s.get('seed_rows_per_s'), 0)} |"
        for name, s in report["setup"].items()
    ]
    m = meta["machine"]
    data = meta["data"]
    header = [
        f"Measured {meta['date']} with `{meta['command']}`.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}",
        f"- Software: Python {m['python']}, PostgreSQL {m['postgresql']} (throwaway "
        f"server, fsync off), SQLite {m['sqlite']}, {m['stack']}",
        f"- Load: {meta['load']}, {meta['connections']} connections, "
        f"{meta['rounds']} interleaved rounds of {meta['duration']} s per scenario "
        f"(after {meta['warmup']} s of warm-up); medians over the rounds",
        f"- Data per database: {data['users']:,} users, {data['posts']:,} posts, "
        f"{data['comments']:,} comments, from each bake's `python -m app seed`; "
        f"deep page after row {data['deep']:,}",
        f"- Total time: {meta['total_s'] / 60:.1f} min; load average (1 min) "
        f"{meta['loadavg']['start'][0]:.1f} at the start, "
        f"{meta['loadavg']['end'][0]:.1f} at the end",
    ]
    errors = {k: v for k, v in report["server_errors"].items() if v}
    if errors:
        header.append(f"- Error lines in the server logs: {errors}")
    return "\n".join(
        [
            "# Benchmark results",
            "",
            *header,
            "",
            table,
            "",
            *(
                ["## Workers and PgBouncer (--fleet)", "", *scaling, ""]
                if len(scaling) > 2
                else []
            ),
            "## Targets",
            "",
            *checks,
            "",
            "## Durability of creates",
            "",
            *durability,
            "",
            "## Set-up",
            "",
            *setup,
            "",
        ]
    )


def machine(pg: Postgres | None) -> dict[str, Any]:
    cpu, memory = platform.processor() or platform.machine(), 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in (
            "fastapi",
            "starlette",
            "pydantic",
            "sqlalchemy",
            "uvicorn",
            "asyncpg",
            "psycopg",
            "aiosqlite",
        )
    )
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg.version if pg else "—",
        "sqlite": sqlite3.sqlite_version,
        "stack": f"{versions} ({loop})",
    }


def server_errors(target: Target) -> int:
    text = (
        target.log_path.read_text(errors="replace") if target.log_path.exists() else ""
    )
    return sum(
        1 for line in text.splitlines() if "Traceback" in line or "ERROR" in line
    )


# --- the command -------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--combos",
        default="all",
        help="comma-separated combinations, e.g. async-postgresql-soft,sync-sqlite-hard"
        " (default: all 8)",
    )
    parser.add_argument(
        "--scenarios",
        default="all",
        help=f"comma-separated, from: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=3,
        help="seconds per scenario before the first round",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--deep",
        type=int,
        default=50_000,
        help="rows before the deep page (at most half the posts)",
    )
    parser.add_argument(
        "--fleet",
        action="store_true",
        help="also serve each PostgreSQL bake with 2 workers, and with 2 workers"
        " through PgBouncer in transaction mode (needs pgbouncer)",
    )
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument(
        "--keep", action="store_true", help="keep the bakes, databases and server logs"
    )
    args = parser.parse_args(argv)
    args.combos = COMBINATIONS if args.combos == "all" else args.combos.split(",")
    args.scenarios = (
        list(SCENARIOS) if args.scenarios == "all" else args.scenarios.split(",")
    )
    for value, known, what in (
        (args.combos, COMBINATIONS, "combination"),
        (args.scenarios, SCENARIOS, "scenario"),
    ):
        unknown = [v for v in value if v not in known]
        if unknown:
            parser.error(
                f"unknown {what} {unknown[0]!r}; choose from {', '.join(known)}"
            )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(
        ["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]
    )
    started = time.monotonic()
    load_before = os.getloadavg()
    loader = Loader(args.load, args.connections)
    log(f"load generator: {loader.version()}")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    pg: Postgres | None = None
    targets: list[Target] = []
    runs: list[Run] = []
    try:
        if any("postgresql" in c for c in args.combos):
            pg = Postgres()
        secret = secrets.token_urlsafe(48)
        targets = make_targets(args.combos, args, work, pg, secret)
        for target in targets:
            target.start()
        for target in targets:
            target.wait_ready()
        live = min(
            int(
                t.db.query(
                    "SELECT count(*) FROM posts"
                    + (" WHERE deleted_at IS NULL" if t.soft else "")
                )[0][0]
            )
            for t in targets
        )
        depth = min(args.deep, live // 2)
        rng = random.Random(8)  # noqa: S311 - a reproducible load mix
        for target in targets:
            log(f"{target.name}: preparing requests (walking to row {depth:,})")
            prepare(target, depth, rng)
        log(f"warming up: {args.warmup} s per scenario and target")
        for target in targets if args.warmup else []:
            for scenario in args.scenarios:
                if scenario not in target.specs:
                    continue
                spec = target.specs[scenario]
                if not scenario.startswith("create"):
                    loader(target, spec, args.warmup)
                    continue
                # The measured create runs have the durability probe beside
                # the load: one more concurrent request, so one more pooled
                # connection to open now rather than during the first round.
                spec = with_token(target, spec)
                probe = DurabilityProbe(target, spec, interval=0.05)
                probe.start()
                loader(target, spec, args.warmup)
                probe.halt.set()
                probe.join()
        for rnd in range(1, args.rounds + 1):
            for scenario in [s for s in SCENARIOS if s in args.scenarios]:
                for target in targets:
                    if scenario not in target.specs:
                        continue
                    run = measure(target, scenario, loader, args.duration, rnd)
                    runs.append(run)
                    r = run.result
                    log(
                        f"round {rnd}/{args.rounds}  {target.name:<22} {scenario:<12}"
                        f"{r.rps:>9.0f} req/s  p50 {r.p50_ms:7.2f} ms"
                        f"  p99 {r.p99_ms:7.2f} ms"
                        f"  non-2xx {r.non_2xx}  conns +{run.connections}"
                    )
    finally:
        statements = {
            t.name: t.db.pg.top_statements(t.db.name)
            for t in targets
            if t.db.pg is not None and t.process is not None
        }
        for target in targets:
            target.stop()
        if pg is not None:
            pg.stop()
        errors = {t.name: server_errors(t) for t in targets}
        if args.keep:
            log(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    rows = summarise(runs, targets)
    report = {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command,
            "machine": machine(pg),
            "load": loader.version(),
            "connections": args.connections,
            "rounds": args.rounds,
            "duration": args.duration,
            "warmup": args.warmup,
            "data": {
                "users": args.users,
                "posts": args.posts,
                "comments": args.comments,
                "deep": depth,
            },
            "total_s": round(time.monotonic() - started, 1),
            "loadavg": {"start": load_before, "end": os.getloadavg()},
            "scenarios": {s: SCENARIOS[s] for s in args.scenarios},
        },
        "rows": rows,
        "targets": check_targets(rows, runs),
        "durability": [
            {"target": r.target, "round": r.round, **r.durability}
            for r in runs
            if r.durability
        ],
        "setup": {t.name: t.setup for t in targets},
        "server_errors": errors,
        "top_statements": statements,
        "runs": [r.as_dict() for r in runs],
    }
    text = markdown(report)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for name in (stamp, "latest"):
        (args.out / f"{name}.md").write_text(text)
        (args.out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    log("\n" + text)
    log(f"written: {args.out / stamp}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
