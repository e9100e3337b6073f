"""The foundation: health, auth, problem+json, prisons and participants end to end."""

from __future__ import annotations

from tests.support import PASSWORD, login


async def test_health_reports_database_ok(client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_schema_is_served(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/participants" in response.json()["paths"]


async def test_participants_need_a_token(client, db) -> None:
    response = await client.get("/api/v1/participants")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "token_missing"


async def test_coordinator_lists_all_participants(world) -> None:
    response = await world.get("coordinator", "/api/v1/participants")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["items"]] == ["T-0001", "T-0002", "T-0003", "T-0004"]


async def test_wrong_password_is_401_problem(world) -> None:
    response = await world.client.post("/api/v1/auth/token", json={"username": "mentor1", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert await login(world.client, "mentor1", PASSWORD)
