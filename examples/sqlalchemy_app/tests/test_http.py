"""What every route shares: documented errors, and an honest 405."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import app

OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in app.openapi()["paths"].items()
    for method, operation in operations.items()
]


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{method} {path}" for method, path, _ in OPERATIONS],
)
def test_each_operation_documents_the_errors_it_shares(
    method: str, path: str, operation: dict[str, dict[str, object]]
) -> None:
    responses = operation["responses"]

    assert "503" in responses  # the database is unreachable
    if "requestBody" in operation:
        assert "400" in responses  # the body cannot be decoded
        assert "413" in responses  # the body is over MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/users", "GET, POST"),
        ("DELETE", "/health", "GET"),
        ("PUT", "/api/v1/posts/1/comments", "GET, POST"),
    ],
)
def test_405_names_every_method_of_the_path(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.json() == {"detail": "Method Not Allowed"}
