"""Tokens that must not work, logins that must not tell, CORS that stays off."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.auth import security
from app.config import settings
from app.database import utc_now
from app.main import create_app
from app.users.models import User
from tests.conftest import PASSWORD, headers_for

ME = "/api/v1/users/me"
TOKEN = "/api/v1/auth/token"
# Same secret, another algorithm of the family: still refused.
OTHER_ALGORITHM = sorted({"HS256", "HS384", "HS512"} - {settings.jwt_algorithm})[0]


def token(
    claims: dict[str, Any], *, key: str | None = None, algorithm: str = ""
) -> str:
    return jwt.encode(
        claims,
        key if key is not None else settings.jwt_secret,
        algorithm=algorithm or settings.jwt_algorithm,
    )


def valid_claims(user: User) -> dict[str, Any]:
    """Claims for the user's sign-in session, good for five minutes."""
    issued = headers_for(user)["Authorization"].removeprefix("Bearer ")
    session_id = jwt.decode(issued, options={"verify_signature": False})["sid"]
    return {
        "sub": str(user.id),
        "sid": session_id,
        "exp": utc_now() + timedelta(minutes=5),
    }


def unsigned(claims: dict[str, Any]) -> str:
    """A token with `"alg": "none"` and no signature."""

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, default=str).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    claims = claims | {"exp": int(claims["exp"].timestamp())}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def tampered(good: str) -> str:
    """The same token with its user id changed; the signature no longer fits."""
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(int(claims["sub"]) + 1)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_a_valid_token_works(client: TestClient, user: User) -> None:
    response = client.get(
        ME, headers={"Authorization": f"Bearer {token(valid_claims(user))}"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda user: token(
                valid_claims(user) | {"exp": utc_now() - timedelta(seconds=1)}
            ),
            id="expired",
        ),
        pytest.param(lambda user: tampered(token(valid_claims(user))), id="tampered"),
        pytest.param(lambda user: unsigned(valid_claims(user)), id="alg-none"),
        pytest.param(
            lambda user: token(valid_claims(user), algorithm=OTHER_ALGORITHM),
            id="other-algorithm",
            # A forger need not care that the key is short for that algorithm.
            marks=pytest.mark.filterwarnings("ignore:The HMAC key is"),
        ),
        pytest.param(
            lambda user: token(valid_claims(user), key="another-secret-" * 3),
            id="other-key",
        ),
        pytest.param(lambda user: token({"sub": str(user.id)}), id="no-expiry"),
        pytest.param(
            lambda user: token({"exp": utc_now() + timedelta(minutes=5)}),
            id="no-subject",
        ),
        pytest.param(
            lambda user: token(valid_claims(user) | {"sub": "admin"}), id="bad-subject"
        ),
        pytest.param(
            lambda user: token(
                {k: v for k, v in valid_claims(user).items() if k != "sid"}
            ),
            id="no-session",
        ),
        pytest.param(
            lambda user: token(valid_claims(user) | {"sid": "f" * 32}),
            id="unknown-session",
        ),
        pytest.param(
            lambda user: token(valid_claims(user) | {"sid": 7}), id="bad-session"
        ),
        pytest.param(lambda user: "not.a.jwt", id="garbage"),
    ],
)
def test_a_bad_token_is_401(
    client: TestClient, user: User, forge: Callable[[User], str]
) -> None:
    response = client.get(ME, headers={"Authorization": f"Bearer {forge(user)}"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_issued_tokens_expire() -> None:
    claims = jwt.decode(
        security.create_access_token(7, "a-session"),
        settings.jwt_secret,
        algorithms=[settings.jwt_algorithm],
    )

    lifetime = claims["exp"] - claims["iat"]
    assert lifetime == settings.access_token_minutes * 60


class CountingHasher(Argon2Hasher):
    """Argon2, recording the hashes it verifies against."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024)
        self.verified: list[str] = []

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        self.verified.append(str(hash))
        return super().verify(password, hash)


def test_an_unknown_email_costs_the_same_hashing_as_a_wrong_password(
    client: TestClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher = CountingHasher()
    monkeypatch.setattr(security, "password_hash", PasswordHash((hasher,)))

    wrong = client.post(TOKEN, data={"username": user.email, "password": "x" * 9})
    against_user = hasher.verified.copy()
    hasher.verified.clear()
    unknown = client.post(
        TOKEN, data={"username": "nobody@example.com", "password": PASSWORD}
    )
    against_dummy = hasher.verified

    assert (wrong.status_code, unknown.status_code) == (401, 401)
    # One Argon2 verification each, with the same cost parameters.
    assert len(against_user) == len(against_dummy) == 1
    assert against_user[0].rsplit("$", 2)[0] == against_dummy[0].rsplit("$", 2)[0]
    assert against_user != against_dummy


PREFLIGHT = {
    "Origin": "https://front.example.com",
    "Access-Control-Request-Method": "POST",
}


def test_cors_is_off_by_default(client: TestClient) -> None:
    preflight = client.options("/api/v1/users", headers=PREFLIGHT)
    read = client.get("/health", headers={"Origin": PREFLIGHT["Origin"]})

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in read.headers


@pytest.fixture
def cors_client() -> Iterator[TestClient]:
    """The app built with CORS_ORIGINS naming one front end."""
    config = settings.model_copy(update={"cors_origins": [PREFLIGHT["Origin"]]})
    app = create_app(config)
    client = TestClient(app, base_url="http://test")
    try:
        yield client
    finally:
        client.close()


def test_cors_allows_only_the_configured_origins(
    cors_client: TestClient,
) -> None:
    allowed = cors_client.options("/api/v1/users", headers=PREFLIGHT)
    other = cors_client.options(
        "/api/v1/users", headers=PREFLIGHT | {"Origin": "https://evil.example.com"}
    )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PREFLIGHT["Origin"]
    assert "access-control-allow-origin" not in other.headers
