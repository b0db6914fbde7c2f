"""`/docs` and `/redoc` work with no network, checked in a real browser.

A default bake is served by uvicorn on a free loopback port and opened in
headless Chromium (Debian's `chromium`; `.ci/run` installs it) with every
host but 127.0.0.1 out of reach. The operations list must render, which
needs Swagger UI's script and stylesheet: served by the app itself, or the
page stays blank. A screenshot is left in the test's tmp dir.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import clean_env, explain, run
from tests.test_shipping import free_port

# No proxy for loopback (Chromium's implicit bypass), a dead one for the rest,
# and no name resolves but 127.0.0.1's.
OFFLINE = (
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


# Debian's and Ubuntu's names, then Google's build, which GitHub's Ubuntu
# runners carry; all take the same switches.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str:
    found = next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found:
        pytest.fail(
            "The offline /docs test needs headless Chromium: "
            "`apt-get install -y chromium` (.ci/run does it)."
        )
    return found


def browse(url: str, profile: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Open url in headless Chromium with the network blocked; wait for scripts."""
    return run(
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *OFFLINE,
        "--virtual-time-budget=15000",
        *options,
        url,
        cwd=profile.parent,
        timeout=120,
    )


@pytest.fixture(scope="module")
def server(
    cookies_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A default bake served by uvicorn on loopback; yields its base URL."""
    result = cookies_session.bake()
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    database = tmp_path_factory.mktemp("db") / "app.db"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host=127.0.0.1",
                f"--port={port}",
            ],
            cwd=project,
            env=clean_env(DATABASE_URL=f"sqlite:///{database}"),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Wait until it answers, or is gone; a bounded wait, not a timing test.
        for _ in range(120):
            if process.poll() is not None:
                break
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.25)
        assert process.poll() is None, log.read_text()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_browser_is_really_offline(tmp_path: Path) -> None:
    """The control: with these flags a CDN page does not load."""
    result = browse(
        "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/package.json",
        tmp_path / "profile",
        "--dump-dom",
    )

    assert "swagger-ui-dist" not in result.stdout
    assert re.search(r"Page load failed: net::ERR_(PROXY|NAME)", result.stderr), (
        explain(result)
    )


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_their_assets_from_the_app(server: str, page: str) -> None:
    html = httpx.get(f"{server}{page}").text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)

    assert assets
    assert [a for a in assets if not a.startswith("/")] == []
    for asset in assets:
        assert httpx.get(f"{server}{asset}").status_code == 200, asset


def test_swagger_ui_renders_the_operations_offline(server: str, tmp_path: Path) -> None:
    dom = browse(f"{server}/docs", tmp_path / "profile", "--dump-dom")
    screenshot = tmp_path / "docs.png"
    shot = browse(
        f"{server}/docs",
        tmp_path / "profile",
        "--window-size=1280,1600",
        "--hide-scrollbars",
        f"--screenshot={screenshot}",
    )

    assert dom.returncode == 0, explain(dom)
    assert 'class="opblock-summary-method">POST<' in dom.stdout, explain(dom)
    assert 'data-path="/api/v1/users"' in dom.stdout, explain(dom)
    assert shot.returncode == 0, explain(shot)
    assert screenshot.stat().st_size > 10_000


def test_redoc_renders_the_operations_offline(server: str, tmp_path: Path) -> None:
    dom = browse(f"{server}/redoc", tmp_path / "profile", "--dump-dom")

    assert dom.returncode == 0, explain(dom)
    assert "/api/v1/users" in dom.stdout, explain(dom)
    assert re.search(r">\s*post\s*<", dom.stdout, re.IGNORECASE), explain(dom)
