"""A throwaway PgBouncer in transaction mode, in front of the test server.

Standard library only: the template's benchmarks load it too. PgBouncer
refuses to run as root: as root it runs as the `postgres` system user, as
tests/pg_server.py runs PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

HELP = (
    "PgBouncer is needed for these tests: install it (Debian/Ubuntu: apt-get "
    "install pgbouncer; macOS: brew install pgbouncer) or set PGBOUNCER to "
    "its path."
)
# Debian installs it in /usr/sbin, which a non-root PATH may leave out.
CANDIDATES = ("/usr/sbin/pgbouncer", "/usr/local/bin/pgbouncer")
STARTUP_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PgBouncerUnavailableError(RuntimeError):
    """No PgBouncer can be had for the tests."""


def find_pgbouncer() -> str:
    found = os.environ.get("PGBOUNCER") or shutil.which("pgbouncer")
    found = found or next((c for c in CANDIDATES if Path(c).exists()), None)
    if found is None:
        msg = f"pgbouncer was not found. {HELP}"
        raise PgBouncerUnavailableError(msg)
    return found


@dataclass
class PgBouncer:
    """PgBouncer in transaction mode in front of the server at `server`.

    Every database name a client asks for is passed on to the server, which
    is logged into as `server`'s user: clients need no password of their own.
    """

    server: URL
    pool_size: int = 10
    port: int = field(default_factory=free_port)
    binary: str = field(default_factory=find_pgbouncer)
    root: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    )
    process: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        host, port = self.server.host or "127.0.0.1", self.server.port or 5432
        login = f"host={host} port={port} user={self.server.username}"
        if self.server.password:
            login += f" password={self.server.password}"
        return "\n".join(
            [
                "[databases]",
                f"* = {login}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {self.port}",
                "unix_socket_dir =",
                "auth_type = any",
                "pool_mode = transaction",
                f"default_pool_size = {self.pool_size}",
                "max_client_conn = 500",
                f"logfile = {self.root / 'pgbouncer.log'}",
                "",
            ]
        )

    def start(self) -> PgBouncer:
        config = self.root / "pgbouncer.ini"
        config.write_text(self._config(), encoding="utf-8")
        options: dict[str, Any] = {}
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                msg = "running as root and there is no 'postgres' user to run it as"
                raise PgBouncerUnavailableError(msg) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            os.chown(config, account.pw_uid, account.pw_gid)
            options = {
                "user": account.pw_uid,
                "group": account.pw_gid,
                "extra_groups": [],
            }
        self.process = subprocess.Popen(
            [self.binary, str(config)],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **options,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._accepts():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                msg = f"pgbouncer did not start: {self._log()}"
                raise PgBouncerUnavailableError(msg)
            time.sleep(0.05)
        return self

    def _accepts(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=1),
        ):
            return True
        return False

    def _log(self) -> str:
        log = self.root / "pgbouncer.log"
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        return text.strip()[-2000:] or "(no log)"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: URL) -> URL:
        """`database`, reached through PgBouncer."""
        return database.set(host="127.0.0.1", port=self.port, password=None)
