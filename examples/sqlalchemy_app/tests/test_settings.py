"""Settings fail safe: a bad environment stops start-up with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import load_settings
from app.driver import DRIVER, DRIVER_EXAMPLE

PROJECT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 48


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Production settings that load, from the environment alone (no `.env`)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    return monkeypatch


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    message = str(stopped.value.code)
    assert "\n" not in message
    return message


def test_production_settings_load(environment: pytest.MonkeyPatch) -> None:
    assert load_settings().secret_key == GOOD_SECRET


@pytest.mark.parametrize("secret", ["", "change-me", "short-but-random-8Ha"])
@pytest.mark.parametrize("env", ["production", "test"])
def test_a_missing_short_or_placeholder_secret_stops_start_up(
    environment: pytest.MonkeyPatch, env: str, secret: str
) -> None:
    message = refusal(environment, ENVIRONMENT=env, SECRET_KEY=secret)

    assert message.startswith("Invalid settings: SECRET_KEY: ")
    assert f"ENVIRONMENT={env}" in message


def test_a_longer_hash_needs_a_longer_secret(environment: pytest.MonkeyPatch) -> None:
    message = refusal(environment, JWT_ALGORITHM="HS512", SECRET_KEY="k" * 63)

    assert "at least 64 bytes for HS512" in message


def test_an_unset_secret_stops_start_up(environment: pytest.MonkeyPatch) -> None:
    environment.delenv("SECRET_KEY")

    assert refusal(environment).startswith("Invalid settings: SECRET_KEY: ")


@pytest.mark.parametrize("secret", ["", "change-me", "short-but-random-8Ha"])
def test_no_environment_at_all_is_production(
    environment: pytest.MonkeyPatch, secret: str
) -> None:
    environment.delenv("ENVIRONMENT")

    message = refusal(environment, SECRET_KEY=secret)

    assert message.startswith("Invalid settings: SECRET_KEY: ")
    assert "ENVIRONMENT=production; unset means production" in message


def test_development_without_a_secret_signs_with_a_random_key_and_warns_once(
    environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    environment.setenv("ENVIRONMENT", "development")
    environment.delenv("SECRET_KEY")

    first = load_settings()
    keys = {first.jwt_secret, first.jwt_secret}
    restarted = load_settings()

    assert len(keys) == 1
    assert len(first.jwt_secret) >= 64
    assert restarted.jwt_secret != first.jwt_secret
    warnings = [r for r in caplog.records if "SECRET_KEY is not set" in r.message]
    assert [r.levelname for r in warnings] == ["WARNING", "WARNING"]


def test_a_secret_that_is_set_is_the_signing_key(
    environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert load_settings().jwt_secret == GOOD_SECRET
    assert "SECRET_KEY" not in caplog.text


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("not a url", "not a database URL"),
        (f"{DRIVER}://app@db:port/app", "not a database URL"),
        ("mysql+pymysql://app@db/app", f"generated for {DRIVER!r}"),
    ],
)
def test_a_bad_database_url_stops_start_up(
    environment: pytest.MonkeyPatch, url: str, complaint: str
) -> None:
    message = refusal(environment, DATABASE_URL=url)

    assert message.startswith("Invalid settings: DATABASE_URL: ")
    assert complaint in message
    assert DRIVER_EXAMPLE in message


def test_several_problems_are_named_on_one_line(
    environment: pytest.MonkeyPatch,
) -> None:
    message = refusal(environment, SECRET_KEY="", POOL_SIZE="many")

    assert "SECRET_KEY" in message
    assert "POOL_SIZE" in message


def start_up_env(**settings: str) -> dict[str, str]:
    """The environment of a real start-up, with the project importable and
    without the test's SECRET_KEY or ENVIRONMENT."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "ENVIRONMENT"}
    }
    return env | {"PYTHONPATH": str(PROJECT)} | settings


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "app", "--help"],
        [sys.executable, "-m", "fastapi", "run", str(PROJECT / "app" / "main.py")],
    ],
    ids=["cli", "fastapi-run"],
)
@pytest.mark.parametrize(
    "settings",
    [{"ENVIRONMENT": "production", "SECRET_KEY": ""}, {}],
    ids=["production", "unset"],
)
def test_the_real_start_up_prints_one_line_and_no_traceback(
    tmp_path: Path, command: list[str], settings: dict[str, str]
) -> None:
    # Run from a folder without `.env`.
    env = start_up_env(**settings)
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if "Invalid settings" in line]
    assert len(errors) == 1
    assert errors[0].startswith("Invalid settings: SECRET_KEY: ")


def test_development_without_a_secret_starts_with_one_warning_line(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--help"],
        cwd=tmp_path,
        env=start_up_env(ENVIRONMENT="development"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "SECRET_KEY" in line] == [
        "SECRET_KEY is not set: tokens are signed with a random key made for this"
        " process, and stop working when it restarts"
    ]
