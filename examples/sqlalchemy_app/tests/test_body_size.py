"""Request bodies over MAX_BODY_BYTES are refused before they are read in full.

Through a real server (uvicorn, in a thread), as a client would send them: a
body with its length declared, and a chunked one that declares none.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from app.config import settings
from app.main import app, create_app

CHUNK = 64 * 1024
MIB = 1024 * 1024


@dataclass
class CountingApp:
    """The app, counting the body bytes it takes in."""

    app: Any
    consumed: int = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counting_receive() -> Any:
            message = await receive()
            self.consumed += len(message.get("body", b""))
            return message

        await self.app(scope, counting_receive, send)


@contextmanager
def serving(asgi: CountingApp) -> Iterator[int]:
    """Serve `asgi` on a free local port, for as long as the block runs."""
    server = uvicorn.Server(
        uvicorn.Config(
            asgi, host="127.0.0.1", port=0, lifespan="off", log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    [listening] = server.servers
    port: int = listening.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join()


@dataclass
class Upload:
    """A POST of `size` bytes, sent as fast as the server takes them."""

    size: int
    declare_length: bool
    sent: int = 0
    status_line: bytes = b""

    def post(self, port: int, path: str = "/api/v1/users") -> int:
        length = (
            f"Content-Length: {self.size}"
            if self.declare_length
            else "Transfer-Encoding: chunked"
        )
        head = f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json"
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(f"{head}\r\n{length}\r\n\r\n".encode())
            # The answer may come while the body is still being sent.
            reader = threading.Thread(target=self._read_status, args=(connection,))
            reader.start()
            self._send_body(connection)
            reader.join()
        return int(self.status_line.split()[1])

    def _read_status(self, connection: socket.socket) -> None:
        self.status_line = connection.makefile("rb").readline()

    def _send_body(self, connection: socket.socket) -> None:
        framing = (
            (b"", b"") if self.declare_length else (f"{CHUNK:x}\r\n".encode(), b"\r\n")
        )
        data = framing[0] + b"x" * CHUNK + framing[1]
        try:
            while self.sent < self.size:
                connection.sendall(data)
                self.sent += CHUNK
            if not self.declare_length:
                connection.sendall(b"0\r\n\r\n")
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server has answered and closed the connection


def test_the_limit_is_1_mib_by_default() -> None:
    assert settings.max_body_bytes == MIB


def test_a_chunked_body_of_100_mib_is_413_after_little_more_than_the_limit() -> None:
    counting = CountingApp(app)
    upload = Upload(size=100 * MIB, declare_length=False)

    with serving(counting) as port:
        status = upload.post(port)

    assert status == 413
    # The app stopped reading past the limit: it never held the rest, and the
    # server stopped taking it.
    assert counting.consumed <= settings.max_body_bytes + MIB
    assert upload.sent < 20 * MIB


def test_a_declared_length_over_the_limit_is_413_before_any_byte_is_read() -> None:
    counting = CountingApp(app)
    upload = Upload(size=100 * MIB, declare_length=True)

    with serving(counting) as port:
        status = upload.post(port)

    assert status == 413
    assert counting.consumed == 0
    assert upload.sent < 20 * MIB


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "chunked"])
def test_the_limit_is_a_setting(declare_length: bool) -> None:
    counting = CountingApp(
        create_app(settings.model_copy(update={"max_body_bytes": 1000}))
    )

    with serving(counting) as port:
        status = Upload(size=2 * CHUNK, declare_length=declare_length).post(port)

    assert status == 413


def test_a_body_at_the_limit_is_read_in_full() -> None:
    counting = CountingApp(app)
    upload = Upload(size=settings.max_body_bytes, declare_length=False)

    with serving(counting) as port:
        status = upload.post(port)

    # Read in full, then found not to be JSON: the limit let it through.
    assert status == 422
    assert counting.consumed == settings.max_body_bytes
