"""Load generation, from a process of its own: `wrk`, or a small asyncio client.

Both take the same `Spec` (a method, paths and bodies picked at random for each
request, headers) and give the same `Result`. A response outside 200-299 counts
as non-2xx, and so does a request that failed at the socket or timed out.

`wrk` is used when it is installed (Debian: `apt-get install wrk`; `ensure_wrk`
installs it when running as root). The asyncio client is the fallback: it
needs nothing but Python, but it is slower than wrk and spends CPU that the
server could have used, so its figures are lower bounds. Run as a script, this
module is that client: `python load.py SPEC_JSON URL CONNECTIONS SECONDS`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Generous: a request slower than this is an error, not a latency.
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Spec:
    """What to send. Each request picks one path, and one body if there are any."""

    method: str
    paths: list[str]
    bodies: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    non_2xx: int
    p50_ms: float
    p99_ms: float
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> int:
        return self.requests - self.non_2xx


# --- wrk ---------------------------------------------------------------------


def ensure_wrk() -> str | None:
    """The path of wrk, installing it from Debian's packages when it is missing
    and we are root (or may sudo without a password, as on CI runners)."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get"):
        return found
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        asked = sudo and subprocess.run(
            [sudo, "-n", "true"], capture_output=True, check=False
        )
        if not asked or asked.returncode != 0:
            return None
        prefix = [sudo, "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "wrk"],
    ):
        subprocess.run([*prefix, *command], env=env, capture_output=True, check=False)
    return shutil.which("wrk")


def _lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _lua_list(items: list[str]) -> str:
    return "{" + ", ".join(_lua_string(i) for i in items) + "}"


def wrk_script(spec: Spec) -> str:
    """A wrk Lua script: random path and body per request, exact non-2xx count,
    and one JSON line of results at the end."""
    lines = [f"wrk.method = {_lua_string(spec.method)}"]
    lines += [
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}"
        for k, v in spec.headers.items()
    ]
    if len(spec.paths) == 1 and len(spec.bodies) <= 1:
        # One fixed request: let wrk build it once.
        lines.append(f"wrk.path = {_lua_string(spec.paths[0])}")
        if spec.bodies:
            lines.append(f"wrk.body = {_lua_string(spec.bodies[0])}")
    else:
        lines += [
            f"local paths = {_lua_list(spec.paths)}",
            f"local bodies = {_lua_list(spec.bodies)}",
            "request = function()",
            "  local body = nil",
            "  if #bodies > 0 then body = bodies[math.random(#bodies)] end",
            "  return wrk.format(nil, paths[math.random(#paths)], nil, body)",
            "end",
        ]
    lines += [
        "local threads = {}",
        "function setup(thread) table.insert(threads, thread) end",
        "function init(args)",
        "  non2xx = 0",
        "  math.randomseed(os.time())",
        "end",
        "function response(status, headers, body)",
        "  if status < 200 or status > 299 then non2xx = non2xx + 1 end",
        "end",
        "function done(summary, latency, requests)",
        "  local bad = 0",
        "  for _, thread in ipairs(threads) do bad = bad + thread:get('non2xx') end",
        "  local e = summary.errors",
        "  io.write(string.format("
        '\'RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, '
        '"socket_errors": %d, "p50_us": %.1f, "p99_us": %.1f}\\n\', '
        "summary.requests, summary.duration, bad, "
        "e.connect + e.read + e.write + e.timeout, "
        "latency:percentile(50), latency:percentile(99)))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def run_wrk(wrk: str, url: str, spec: Spec, connections: int, seconds: float) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(spec))
    try:
        completed = subprocess.run(
            [
                wrk,
                "-t1",  # one thread drives 16 connections; the cores go to the server
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={TIMEOUT_SECONDS}s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + TIMEOUT_SECONDS + 30,
        )
    finally:
        Path(script.name).unlink()
    line = next(
        (ln for ln in completed.stdout.splitlines() if ln.startswith("RESULT ")), None
    )
    if completed.returncode != 0 or line is None:
        msg = (
            f"wrk failed ({completed.returncode}): {completed.stdout}{completed.stderr}"
        )
        raise RuntimeError(msg)
    data = json.loads(line.removeprefix("RESULT "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non_2xx=data["non_2xx"] + data["socket_errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        tool="wrk",
    )


# --- the asyncio fallback ----------------------------------------------------


def run_python(url: str, spec: Spec, connections: int, seconds: float) -> Result:
    """Run this module as the load client, in a process of its own."""
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            json.dumps(asdict(spec)),
            url,
            str(connections),
            str(seconds),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + TIMEOUT_SECONDS + 30,
    )
    if completed.returncode != 0:
        msg = f"load client failed: {completed.stderr[-2000:]}"
        raise RuntimeError(msg)
    return Result(**json.loads(completed.stdout), tool="python")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns its status and whether the server closes."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    elif length:
        await reader.readexactly(length)
    return status, close


async def _connection(
    host: str, port: int, spec: Spec, deadline: float, latencies: list[float]
) -> int:
    """One keep-alive connection sending requests back to back; returns non-2xx."""
    head = "".join(f"{k}: {v}\r\n" for k, v in spec.headers.items())
    bodies = [b.encode() for b in spec.bodies] or [b""]
    bad = 0
    reader = writer = None
    while time.perf_counter() < deadline:
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
        assert reader is not None
        body = random.choice(bodies)  # noqa: S311 - load mix, not security
        path = random.choice(spec.paths)  # noqa: S311
        request = (
            f"{spec.method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        start = time.perf_counter()
        try:
            writer.write(request)
            status, close = await asyncio.wait_for(
                _read_response(reader), TIMEOUT_SECONDS
            )
        except (OSError, ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            bad += 1
            latencies.append(time.perf_counter() - start)
            writer.close()
            writer = None
            continue
        latencies.append(time.perf_counter() - start)
        if not 200 <= status <= 299:
            bad += 1
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()
    return bad


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _drive(url: str, spec: Spec, connections: int, seconds: float) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    start = time.perf_counter()
    # No new request starts after the deadline; those in flight are awaited.
    bad = await asyncio.gather(
        *(
            _connection(host, port, spec, start + seconds, latencies)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "non_2xx": sum(bad),
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    spec_json, url, connections, seconds = sys.argv[1:5]
    spec = Spec(**json.loads(spec_json))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(_drive(url, spec, int(connections), float(seconds)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
