"""Every write route answers an anonymous caller 401, before it looks for the
row it would touch: who may not write learns nothing of what exists."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.main import app

MISSING = "999999"
# Every route that writes to a row named in its path, as the API documents it.
WRITES_TO_A_ROW = sorted(
    (method.upper(), re.sub(r"{[^}]+}", MISSING, path))
    for path, operations in app.openapi()["paths"].items()
    if "{" in path
    for method in operations
    if method != "get"
)


def test_the_write_routes_are_found() -> None:
    assert ("DELETE", f"/api/v1/posts/{MISSING}") in WRITES_TO_A_ROW


@pytest.mark.parametrize(("method", "url"), WRITES_TO_A_ROW)
def test_an_anonymous_write_to_a_missing_row_is_401(
    client: TestClient, method: str, url: str
) -> None:
    response = client.request(method, url)

    assert response.status_code == 401
