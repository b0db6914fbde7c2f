"""Settings, read once from the environment and `.env`."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.driver import DRIVER, DRIVER_EXAMPLE

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev"})
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Every setting of the app. `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default=DRIVER_EXAMPLE)
    secret_key: str = ""
    access_token_expire_minutes: int = Field(default=30, ge=1, le=60 * 24 * 30)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    cors_origins: list[str] = Field(default_factory=list)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    sql_echo: bool = False
    slow_query_ms: int = Field(default=200, ge=0)
    pool_size: int = Field(default=10, ge=1, le=200)
    max_overflow: int = Field(default=5, ge=0, le=200)
    pool_timeout_seconds: float = Field(default=5.0, gt=0)
    connect_timeout_seconds: float = Field(default=5.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            msg = f"DATABASE_URL is not a database URL; expected e.g. {DRIVER_EXAMPLE}"
            raise ValueError(msg) from None
        if url.drivername != DRIVER:
            msg = (
                f"DATABASE_URL uses driver {url.drivername!r}, but this project was "
                f"generated for {DRIVER!r}; expected e.g. {DRIVER_EXAMPLE}"
            )
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _check_secret_key(self) -> Settings:
        if self.environment == "development":
            return self
        if (
            self.secret_key.strip().lower() in PLACEHOLDER_SECRETS
            or len(self.secret_key) < MIN_SECRET_LENGTH
        ):
            msg = (
                f"SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters outside development "
                f"(ENVIRONMENT={self.environment})"
            )
            raise ValueError(msg)
        return self

    @cached_property
    def url(self) -> URL:
        return make_url(self.database_url)

    @property
    def jwt_secret(self) -> str:
        # Development may run without a secret; it still needs a signing key.
        return self.secret_key or "development-only-insecure-secret-key-0000"


def load_settings() -> Settings:
    """Read the settings, turning a validation error into one readable line."""
    try:
        return Settings()
    except ValidationError as error:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        raise SystemExit(f"Invalid settings: {detail}") from None


settings = load_settings()
