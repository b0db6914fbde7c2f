"""Settings, read once from the environment and `.env`."""

from __future__ import annotations

import logging
import secrets
from functools import cached_property
from typing import Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.driver import DRIVER, DRIVER_EXAMPLE

logger = logging.getLogger("app.config")

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev"})
# An HMAC key at least as long as the hash it feeds (RFC 7518, section 3.2).
MIN_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


def _checked_url(value: str) -> str:
    """`value`, if it is a database URL for this project's driver."""
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        msg = f"not a database URL; expected e.g. {DRIVER_EXAMPLE}"
        raise ValueError(msg) from None
    if url.drivername != DRIVER:
        msg = (
            f"uses driver {url.drivername!r}, but this project was generated "
            f"for {DRIVER!r}; expected e.g. {DRIVER_EXAMPLE}"
        )
        raise ValueError(msg)
    return value


class Settings(BaseSettings):
    """Every setting of the app. `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Unset is production: a server started without its settings refuses to
    # run with a weak key rather than sign with one.
    environment: Literal["development", "test", "production"] = "production"
    database_url: str = Field(default=DRIVER_EXAMPLE)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    # validate_default: a missing SECRET_KEY must be checked too.
    secret_key: str = Field(default="", validate_default=True)
    # A short-lived access token; a refresh token gets the next one.
    access_token_minutes: int = Field(default=15, ge=1, le=60 * 24)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    password_reset_minutes: int = Field(default=30, ge=1, le=60 * 24)
    # Mail, for password resets. With no SMTP_HOST in development the message
    # is logged instead of sent.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "noreply@example.com"
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    cors_origins: list[str] = Field(default_factory=list)
    # A larger request body is refused with 413 before it is read in full.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    # Login throttling (app/throttle): failed logins allowed per account, and
    # per client address over any accounts, within a window of this many
    # minutes from the first.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    login_window_minutes: int = Field(default=15, ge=1, le=60 * 24)
    # Proxies in front of the app that each append to X-Forwarded-For: the
    # client address is that many entries from the right. 0: never read it.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=10)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    sql_echo: bool = False
    slow_query_ms: int = Field(default=200, ge=0)
    pool_size: int = Field(default=20, ge=1, le=200)
    max_overflow: int = Field(default=10, ge=0, le=200)
    pool_timeout_seconds: float = Field(default=5.0, gt=0)
    # Worker processes `fastapi run` (uvicorn) starts; each has its own pool.
    web_concurrency: int = Field(default=1, ge=1)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        return _checked_url(value)

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, value: str, info: ValidationInfo) -> str:
        # Fields declared above are in info.data unless they were invalid
        # (and so are reported already).
        environment = info.data.get("environment", "production")
        if environment == "development":
            return value
        algorithm = info.data.get("jwt_algorithm", "HS256")
        minimum = MIN_SECRET_BYTES[algorithm]
        if (
            value.strip().lower() in PLACEHOLDER_SECRETS
            or len(value.encode()) < minimum
        ):
            msg = (
                f"must be a random value of at least {minimum} bytes for "
                f"{algorithm} outside development (ENVIRONMENT={environment}; "
                "unset means production); make one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(64))"'
            )
            raise ValueError(msg)
        return value

    @cached_property
    def url(self) -> URL:
        return make_url(self.database_url)

    @cached_property
    def jwt_secret(self) -> str:
        """The key that signs tokens: SECRET_KEY, which only development may
        leave empty. Then it is random, made once per process."""
        if self.secret_key:
            return self.secret_key
        logger.warning(
            "SECRET_KEY is not set: tokens are signed with a random key made for "
            "this process, and stop working when it restarts"
        )
        return secrets.token_urlsafe(64)


def load_settings() -> Settings:
    """Read the settings, turning a validation error into one readable line."""
    try:
        loaded = Settings()
    except ValidationError as error:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise SystemExit(f"Invalid settings: {detail}") from None
    # Made now, so that development's warning comes at start-up.
    _ = loaded.jwt_secret
    return loaded


settings = load_settings()
