"""The benchmark (benchmarks/) still runs: a smoke version, so that it cannot rot.

It runs the real command on two combinations that between them cover both
databases, both access styles and both delete modes, with a small seed and a
second per scenario. Nothing here is timed: it checks that every scenario ran,
answered only 2xx, was counted, and that the table came out.
"""

from __future__ import annotations

import fcntl
import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT, clean_env, explain, run

BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import load  # noqa: E402  (benchmarks/ is not a package)

pytestmark = pytest.mark.xdist_group("benchmarks")

BAKES = ["async-postgresql-soft", "sync-sqlite-hard"]
SHARED_SCENARIOS = {"health", "users", "posts", "post", "deep-cursor", "create"}
BAKE_SCENARIOS = {*SHARED_SCENARIOS, "create-login"}  # the baseline has no login
BASELINE_SCENARIOS = {*SHARED_SCENARIOS, "deep-offset"}


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the benchmark once per test session, even when xdist splits this
    module over workers: they share the base temp directory and take turns."""
    shared = tmp_path_factory.getbasetemp().parent
    out = shared / "benchmark-smoke"
    with (shared / "benchmark-smoke.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "latest.json").exists():
            result = run(
                sys.executable,
                str(BENCHMARKS / "run.py"),
                f"--combos={','.join(BAKES)}",
                "--users=40",
                "--posts=240",
                "--comments=200",
                "--duration=1",
                "--rounds=1",
                "--warmup=0",
                "--deep=100",
                f"--out={out}",
                cwd=ROOT,
                env=clean_env(),
                timeout=900,
            )
            assert result.returncode == 0, explain(result)
    data = json.loads((out / "latest.json").read_text())
    data["markdown"] = (out / "latest.md").read_text()
    return data


def rows_of(report: dict, target: str) -> dict[str, dict]:
    return {r["scenario"]: r for r in report["rows"] if r["target"] == target}


def test_every_scenario_runs_against_every_target(report: dict) -> None:
    for target in BAKES:
        assert set(rows_of(report, target)) == BAKE_SCENARIOS
    for target in ("baseline-postgresql", "baseline-sqlite"):
        assert set(rows_of(report, target)) == BASELINE_SCENARIOS
    assert all(r["requests"] > 0 for r in report["rows"])


def test_every_response_is_2xx(report: dict) -> None:
    assert {(r["target"], r["scenario"]): r["non_2xx"] for r in report["rows"]} == {
        (r["target"], r["scenario"]): 0 for r in report["rows"]
    }


def test_statements_memory_and_cpu_are_counted(report: dict) -> None:
    for row in report["rows"]:
        # Even /health runs a statement: counting works for both databases.
        assert row["sql_per_request"] >= 1, row
        assert row["peak_rss_mib"] > 10, row
        assert row["cpu_ms_per_request"] > 0, row


def test_bakes_are_compared_with_the_baseline_of_their_database(report: dict) -> None:
    for target in BAKES:
        for row in rows_of(report, target).values():
            assert row["vs_baseline"] > 0, row


def test_creates_are_committed_before_they_are_acknowledged(report: dict) -> None:
    assert {d["target"] for d in report["durability"]} == {
        *BAKES,
        "baseline-postgresql",
        "baseline-sqlite",
    }
    for check in report["durability"]:
        assert check["lost"] == 0, check
        assert check["probes"] >= 1, check
        assert check["probes_committed"] == check["probes"], check
        assert check["rows_added"] >= check["ok"] > 0, check


def test_the_table_is_written(report: dict) -> None:
    markdown = report["markdown"]
    assert "| combination | scenario | req/s |" in markdown
    for target in [*BAKES, "baseline-postgresql", "baseline-sqlite"]:
        assert f"| {target} | posts |" in markdown
    assert "## Targets" in markdown
    assert report["meta"]["data"]["deep"] == 100


# The load generators, against a tiny server whose answers are known.


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _answer(self, status: int) -> None:
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(404 if self.path == "/missing" else 200)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            valid = "tags" in json.loads(body)
        except ValueError:
            valid = False
        authorised = self.headers.get("Authorization") == "Bearer token-1"
        self._answer(201 if valid and authorised else 400)

    def log_message(self, *_args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, *_args: object) -> None:
        """A load generator hanging up at its deadline is not an error."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def generate(tool: str, url: str, spec: load.Spec) -> load.Result:
    if tool == "python":
        return load.run_python(url, spec, connections=4, seconds=1)
    wrk = load.ensure_wrk()
    assert wrk, "wrk is needed: apt-get install wrk (the benchmark installs it as root)"
    return load.run_wrk(wrk, url, spec, connections=4, seconds=1)


@pytest.mark.parametrize("tool", ["wrk", "python"])
def test_load_generators_count_non_2xx(tool: str, server: str) -> None:
    result = generate(tool, server, load.Spec("GET", ["/ok", "/missing"]))
    # Paths are picked at random: about half the answers are 404.
    assert result.requests > 20
    assert 0.2 < result.non_2xx / result.requests < 0.8
    assert 0 < result.p50_ms <= result.p99_ms


@pytest.mark.parametrize("tool", ["wrk", "python"])
def test_load_generators_send_bodies_and_headers(tool: str, server: str) -> None:
    bodies = [json.dumps({"title": f"t{i}", "tags": ["a", "b", "c"]}) for i in range(5)]
    spec = load.Spec(
        "POST",
        ["/posts"],
        bodies,
        {"Content-Type": "application/json", "Authorization": "Bearer token-1"},
    )
    result = generate(tool, server, spec)
    assert result.requests > 20
    assert result.non_2xx == 0


def test_the_results_directory_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "/benchmarks/results/" in ignored
