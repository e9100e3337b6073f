"""Prisons: everyone signed in may read them (the rules are not personal data); coordinators change them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.planning.errors import Conflict, NotFound
from prison_liaison.planning.models import Closure, Prison, Role
from prison_liaison.planning.prisons import check_closures, check_code, check_land, check_timezone, check_windows
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller


def _validate(values: dict[str, Any]) -> None:
    if "code" in values:
        check_code(values["code"])
    if "land" in values:
        check_land(values["land"])
    if "timezone" in values:
        check_timezone(values["timezone"])
    if values.get("windows") is not None:
        check_windows(values["windows"])
    if values.get("closures") is not None:
        check_closures(values["closures"])


async def list_prisons(
    caller: Caller, *, limit: int, cursor: str | None, land: str | None = None
) -> tuple[list[Prison], str | None]:
    access.require_user(caller)
    ids = [caller.prison_id] if caller.role == Role.PRISON_STAFF and caller.prison_id else None
    return await prisons_repo.list_prisons(limit=limit, cursor=cursor, land=land, ids=ids)


async def get_prison(caller: Caller, prison_id: UUID) -> Prison:
    access.require_user(caller)
    if caller.role == Role.PRISON_STAFF and caller.prison_id != prison_id:
        raise NotFound("prison not found")
    prison = await prisons_repo.get_prison(prison_id)
    if prison is None:
        raise NotFound("prison not found")
    return prison


async def create_prison(caller: Caller, values: dict[str, Any]) -> Prison:
    access.require_role(caller, Role.COORDINATOR)
    _validate(values)
    async with db.transaction():
        if await prisons_repo.code_exists(values["code"]):
            raise Conflict(f"a prison with code {values['code']!r} exists", code="duplicate_code", field="code")
        prison_id = await prisons_repo.insert_prison(dict(values), clock.now())
        await audit.record(caller, "prison.created", subject_type="prison", subject_id=prison_id)
    prison = await prisons_repo.get_prison(prison_id)
    assert prison is not None
    return prison


async def update_prison(caller: Caller, prison_id: UUID, changes: dict[str, Any], *, expected_version: int) -> Prison:
    access.require_role(caller, Role.COORDINATOR)
    _validate(changes)
    async with db.transaction():
        if "code" in changes and await prisons_repo.code_exists(changes["code"], except_id=prison_id):
            raise Conflict(f"a prison with code {changes['code']!r} exists", code="duplicate_code", field="code")
        await prisons_repo.update_prison(prison_id, dict(changes), expected_version=expected_version, now=clock.now())
        await audit.record(
            caller, "prison.updated", subject_type="prison", subject_id=prison_id, fields=sorted(changes)
        )
    prison = await prisons_repo.get_prison(prison_id)
    assert prison is not None
    return prison


async def add_closure(caller: Caller, prison_id: UUID, closure: Closure) -> Prison:
    access.require_role(caller, Role.COORDINATOR)
    check_closures([closure])
    async with db.transaction():
        if await prisons_repo.get_prison(prison_id) is None:
            raise NotFound("prison not found")
        closure_id = await prisons_repo.add_closure(prison_id, closure, clock.now())
        await audit.record(
            caller, "prison.closure_added", subject_type="prison", subject_id=prison_id, closure_id=closure_id,
            start_date=closure.start_date, end_date=closure.end_date,
        )
    prison = await prisons_repo.get_prison(prison_id)
    assert prison is not None
    return prison


async def remove_closure(caller: Caller, prison_id: UUID, closure_id: UUID) -> None:
    access.require_role(caller, Role.COORDINATOR)
    async with db.transaction():
        if not await prisons_repo.delete_closure(prison_id, closure_id, clock.now()):
            raise NotFound("closure not found")
        await audit.record(
            caller, "prison.closure_removed", subject_type="prison", subject_id=prison_id, closure_id=closure_id
        )
