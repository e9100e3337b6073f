"""Liveness and database reachability."""

from __future__ import annotations

from litestar import Response, get

from prison_liaison.api.schemas import HealthRead
from prison_liaison.services import health as health_service


@get("/health", operation_id="health", tags=["operations"])
async def health() -> Response[HealthRead]:
    """Is the service up and the database reachable?"""
    ok = await health_service.database_ok()
    body = HealthRead(status="ok" if ok else "unavailable", database="ok" if ok else "unreachable")
    return Response(body, status_code=200 if ok else 503)
