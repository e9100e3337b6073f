"""Prisons and their rules (visiting windows, closures, lead time, maximum length)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from prison_liaison.api.deps import etag, parse_if_match
from prison_liaison.api.schemas import ClosureSchema, ListOf, PrisonCreate, PrisonRead, PrisonUpdate, changes_of
from prison_liaison.services import prisons as prisons_service
from prison_liaison.services.context import Caller

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]


def _with_etag(prison: PrisonRead, status: int = 200) -> Response[PrisonRead]:
    return Response(prison, status_code=status, headers={"ETag": etag(prison.version)})


class PrisonController(Controller):
    path = "/api/v1/prisons"
    tags = ["prisons"]

    @get("/", operation_id="listPrisons")
    async def list_prisons(
        self,
        caller: NamedDependency[Caller],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
        land: FromQuery[str | None] = None,
    ) -> ListOf[PrisonRead]:
        """Prisons (prison staff see their own)."""
        items, next_cursor = await prisons_service.list_prisons(caller, limit=limit, cursor=cursor, land=land)
        return ListOf(items=[PrisonRead.from_domain(p) for p in items], next_cursor=next_cursor)

    @post("/", operation_id="createPrison", status_code=201)
    async def create_prison(
        self, data: JSONBody[PrisonCreate], caller: NamedDependency[Caller]
    ) -> Response[PrisonRead]:
        """Create a prison with its rules (coordinators)."""
        values = changes_of(data)
        values["windows"] = [w.to_domain() for w in data.windows]
        values["closures"] = [c.to_domain() for c in data.closures]
        prison = await prisons_service.create_prison(caller, values)
        return _with_etag(PrisonRead.from_domain(prison), 201)

    @get("/{prison_id:uuid}", operation_id="getPrison")
    async def get_prison(self, prison_id: FromPath[UUID], caller: NamedDependency[Caller]) -> Response[PrisonRead]:
        """One prison with windows and closures."""
        return _with_etag(PrisonRead.from_domain(await prisons_service.get_prison(caller, prison_id)))

    @patch("/{prison_id:uuid}", operation_id="updatePrison")
    async def update_prison(
        self,
        prison_id: FromPath[UUID],
        data: JSONBody[PrisonUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[PrisonRead]:
        """Change a prison's rules (coordinators); needs If-Match."""
        version = parse_if_match(if_match)
        changes = changes_of(data)
        if "windows" in changes:
            changes["windows"] = [w.to_domain() for w in data.windows]  # type: ignore[union-attr]
        if "closures" in changes:
            changes["closures"] = [c.to_domain() for c in data.closures]  # type: ignore[union-attr]
        prison = await prisons_service.update_prison(caller, prison_id, changes, expected_version=version)
        return _with_etag(PrisonRead.from_domain(prison))

    @post("/{prison_id:uuid}/closures", operation_id="addPrisonClosure", status_code=201)
    async def add_closure(
        self, prison_id: FromPath[UUID], data: JSONBody[ClosureSchema], caller: NamedDependency[Caller]
    ) -> Response[PrisonRead]:
        """Add a closure (no visits on those days)."""
        prison = await prisons_service.add_closure(caller, prison_id, data.to_domain())
        return _with_etag(PrisonRead.from_domain(prison), 201)

    @delete("/{prison_id:uuid}/closures/{closure_id:uuid}", operation_id="removePrisonClosure", status_code=204)
    async def remove_closure(
        self, prison_id: FromPath[UUID], closure_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> None:
        """Remove a closure."""
        await prisons_service.remove_closure(caller, prison_id, closure_id)
