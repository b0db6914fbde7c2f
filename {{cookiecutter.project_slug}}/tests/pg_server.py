"""A throwaway PostgreSQL server for the tests. Standard library only.

Used when TEST_DATABASE_URL is not set: it runs `initdb` into a temporary
directory and starts `pg_ctl` on a free local port, with settings that trade
durability for speed (fine for data that is thrown away). `initdb` refuses to
run as root, so as root the server runs as the `postgres` system user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server can be had for the tests."""


HELP = (
    "PostgreSQL is needed for these tests. Either set TEST_DATABASE_URL to a "
    "server you can create tables in (for example "
    "postgresql://postgres:postgres@localhost:5432/test), or install the "
    "PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql; "
    "macOS: brew install postgresql) so the tests can start their own."
)


def find_bindir() -> Path:
    """The directory that holds initdb and pg_ctl; PG_BINDIR, when set, alone."""
    if os.environ.get("PG_BINDIR"):
        candidates = [os.environ["PG_BINDIR"]]
    else:
        candidates = _usual_bindirs()
    for candidate in candidates:
        path = Path(candidate)
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    raise PostgresUnavailableError(
        f"initdb and pg_ctl were not found in {', '.join(candidates) or 'PATH'}. {HELP}"
    )


def _usual_bindirs() -> list[str]:
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(result.stdout.strip())
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += sorted(glob.glob("/opt/homebrew/opt/postgresql*/bin"), reverse=True)
    return candidates


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """One running server; `stop()` removes it and its data."""

    bindir: Path = field(default_factory=find_bindir)
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pgtest-")))
    user: str = "postgres"

    def _run(self, *args: str) -> None:
        options: dict[str, Any] = {}
        if os.geteuid() == 0:
            # initdb and pg_ctl refuse root: run them as the postgres user.
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                msg = f"running as root and there is no 'postgres' user. {HELP}"
                raise PostgresUnavailableError(msg) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            options = {
                "user": account.pw_uid,
                "group": account.pw_gid,
                "extra_groups": [],
            }
        result = subprocess.run(
            args, capture_output=True, text=True, check=False, cwd=self.root, **options
        )
        if result.returncode != 0:
            msg = f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
            raise PostgresUnavailableError(msg)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def start(self) -> PostgresServer:
        self._run(
            str(self.bindir / "initdb"),
            "--no-sync",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "-U",
            self.user,
            "-D",
            str(self.data),
        )
        self.resume()
        return self

    def resume(self) -> None:
        """Start the server (again, after `pause`), on the same port and data."""
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -F "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-w",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "start",
        )

    def pause(self) -> None:
        """Stop the server but keep its data, as an outage would."""
        self._run(
            str(self.bindir / "pg_ctl"),
            "-w",
            "-D",
            str(self.data),
            "-m",
            "immediate",
            "stop",
        )

    def stop(self) -> None:
        with contextlib.suppress(PostgresUnavailableError):
            self.pause()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, driver: str = "postgresql", database: str = "postgres") -> str:
        return f"{driver}://{self.user}@127.0.0.1:{self.port}/{database}"
