"""Property-based test of the whole API, generated from its own OpenAPI schema.

Schemathesis sends every operation valid and invalid requests (wrong types,
out-of-range ids, odd strings and bodies, undeclared methods) as a signed-in
user, and checks each response: never a 5xx, and always a documented status
code, content type and body. The seed is fixed, so a run is repeatable, and
the budget is small, so it is quick: FUZZ_EXAMPLES=100 (examples per
operation) makes a longer, deeper run.

The examples of an operation share the test's rolled-back session, as the
requests to a live server share its database; nothing outlives the test.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import app
from app.schemas import MAX_ID
from app.users.models import User
from tests.conftest import PostFactory

# The schema as the app serves it at /openapi.json, without running the app.
schema = schemathesis.openapi.from_dict(app.openapi())

# "Valid per the schema, yet refused": JSON Schema cannot say that a cursor
# must be one the API issued, nor that an email's domain must not be a
# reserved one (`.test`, `.local`), which the email validator refuses.
NOT_CHECKED: list[CheckFunction] = [positive_data_acceptance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))


@pytest.fixture
def existing(
    client: TestClient,
    user: User,
    auth_headers: dict[str, str],
    post_factory: PostFactory,
) -> dict[str, int]:
    """Rows of the signed-in user, for the generated ids to point at."""
    post = post_factory(tags=["fuzz"])
    comment = client.post(
        f"/api/v1/posts/{post.id}/comments",
        json={"body": "First."},
        headers=auth_headers,
    )
    return {"user_id": user.id, "post_id": post.id, "comment_id": comment.json()["id"]}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run
    database=None,  # and no example database written into the project
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_contract_on_any_input(
    case: schemathesis.Case[Any],
    client: TestClient,
    auth_headers: dict[str, str],
    existing: dict[str, int],
) -> None:
    # A well-formed id names a row that exists, so that generated bodies and
    # queries get past the 404 and into the services.
    for name, value in (case.path_parameters or {}).items():
        if name in existing and isinstance(value, int) and 1 <= value <= MAX_ID:
            case.path_parameters[name] = existing[name]
    request = case.as_transport_kwargs(headers=auth_headers)
    request.pop("cookies", None)  # the API reads none
    if isinstance(request.get("data"), str | bytes):
        request["content"] = request.pop("data")  # a raw body, in httpx's terms

    response = client.request(**request)

    case.validate_response(response, excluded_checks=NOT_CHECKED)


def test_the_fuzzing_covers_the_account_routes() -> None:
    fuzzed = {
        f"{method.upper()} {path}"
        for path, operations in schema.items()
        for method in operations
    }

    assert fuzzed >= {
        "POST /api/v1/auth/token",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/logout",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/password-reset/confirm",
        "PUT /api/v1/users/me/password",
    }
