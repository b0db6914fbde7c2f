"""GET /health."""

from __future__ import annotations

from httpx import AsyncClient


async def test_health_reports_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
