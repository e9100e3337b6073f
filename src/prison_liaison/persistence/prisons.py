"""Prisons with their visiting windows and closures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from prison_liaison.persistence.common import decode_cursor, encode_cursor, utc, versioned_update
from prison_liaison.persistence.tables import PrisonClosureTable, PrisonTable, VisitingWindowTable
from prison_liaison.planning.models import Closure, Prison, VisitingWindow


def _window(row: dict[str, Any]) -> VisitingWindow:
    return VisitingWindow(
        id=row["id"],
        weekday=row["weekday"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        visit_kind=row["visit_kind"],
    )


def _closure(row: dict[str, Any]) -> Closure:
    return Closure(id=row["id"], start_date=row["start_date"], end_date=row["end_date"], reason=row["reason"])


def _as_dates(value: Any) -> tuple[date, ...]:
    if isinstance(value, str):
        import json

        value = json.loads(value)
    return tuple(date.fromisoformat(v) for v in value or [])


def _prison(row: dict[str, Any], windows: list[VisitingWindow], closures: list[Closure]) -> Prison:
    return Prison(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        address=row["address"],
        timezone=row["timezone"],
        land=row["land"],
        social_service_contact=row["social_service_contact"],
        lead_time_days=row["lead_time_days"],
        max_visit_minutes=row["max_visit_minutes"],
        travel_buffer_minutes=row["travel_buffer_minutes"],
        visitor_requirements=row["visitor_requirements"],
        security_check_required=row["security_check_required"],
        open_on_holidays=_as_dates(row["open_on_holidays"]),
        windows=tuple(sorted(windows, key=lambda w: (w.weekday, w.start_time))),
        closures=tuple(sorted(closures, key=lambda c: c.start_date)),
        version=row["version"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )


async def _load(rows: list[dict[str, Any]]) -> list[Prison]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    windows: dict[UUID, list[VisitingWindow]] = defaultdict(list)
    closures: dict[UUID, list[Closure]] = defaultdict(list)
    for w in await VisitingWindowTable.select().where(VisitingWindowTable.prison.is_in(ids)):
        windows[w["prison"]].append(_window(w))
    for c in await PrisonClosureTable.select().where(PrisonClosureTable.prison.is_in(ids)):
        closures[c["prison"]].append(_closure(c))
    return [_prison(r, windows[r["id"]], closures[r["id"]]) for r in rows]


async def get_prison(prison_id: UUID) -> Prison | None:
    row = await PrisonTable.select().where(
        (PrisonTable.id == prison_id) & PrisonTable.archived_at.is_null()
    ).first()
    if row is None:
        return None
    return (await _load([row]))[0]


async def get_prisons(ids: list[UUID]) -> dict[UUID, Prison]:
    if not ids:
        return {}
    rows = await PrisonTable.select().where(PrisonTable.id.is_in(list(set(ids))))
    return {p.id: p for p in await _load(list(rows))}


async def list_prisons(
    *, limit: int, cursor: str | None = None, land: str | None = None, ids: list[UUID] | None = None
) -> tuple[list[Prison], str | None]:
    q = PrisonTable.select().where(PrisonTable.archived_at.is_null())
    if land:
        q = q.where(PrisonTable.land == land)
    if ids is not None:
        if not ids:
            return [], None
        q = q.where(PrisonTable.id.is_in(ids))
    if cursor:
        (code,) = decode_cursor(cursor, 1)
        q = q.where(PrisonTable.code > code)
    rows = await q.order_by(PrisonTable.code).limit(limit + 1)
    prisons = await _load(list(rows[:limit]))
    next_cursor = encode_cursor(prisons[-1].code) if len(rows) > limit else None
    return prisons, next_cursor


async def code_exists(code: str, *, except_id: UUID | None = None) -> bool:
    q = PrisonTable.exists().where(PrisonTable.code == code)
    if except_id is not None:
        q = q.where(PrisonTable.id != except_id)
    return bool(await q)


async def insert_prison(values: dict[str, Any], now: datetime) -> UUID:
    prison_id = uuid4()
    windows = values.pop("windows", ())
    closures = values.pop("closures", ())
    if "open_on_holidays" in values:
        values["open_on_holidays"] = [d.isoformat() for d in values["open_on_holidays"]]
    await PrisonTable.insert(PrisonTable(id=prison_id, created_at=now, updated_at=now, **values))
    await _replace_children(prison_id, windows, closures, now)
    return prison_id


async def _replace_children(
    prison_id: UUID, windows: Any, closures: Any, now: datetime, *, replace_windows: bool = True,
    replace_closures: bool = True,
) -> None:
    if replace_windows and windows is not None:
        await VisitingWindowTable.delete().where(VisitingWindowTable.prison == prison_id)
        if windows:
            await VisitingWindowTable.insert(
                *[
                    VisitingWindowTable(
                        id=uuid4(),
                        prison=prison_id,
                        weekday=w.weekday,
                        start_time=w.start_time,
                        end_time=w.end_time,
                        valid_from=w.valid_from,
                        valid_to=w.valid_to,
                        visit_kind=w.visit_kind,
                        created_at=now,
                        updated_at=now,
                    )
                    for w in windows
                ]
            )
    if replace_closures and closures is not None:
        await PrisonClosureTable.delete().where(PrisonClosureTable.prison == prison_id)
        if closures:
            await PrisonClosureTable.insert(
                *[
                    PrisonClosureTable(
                        id=uuid4(),
                        prison=prison_id,
                        start_date=c.start_date,
                        end_date=c.end_date,
                        reason=c.reason,
                        created_at=now,
                        updated_at=now,
                    )
                    for c in closures
                ]
            )


async def update_prison(
    prison_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime
) -> int:
    windows = values.pop("windows", None)
    closures = values.pop("closures", None)
    if "open_on_holidays" in values:
        values["open_on_holidays"] = [d.isoformat() for d in values["open_on_holidays"]]
    version = await versioned_update(PrisonTable, prison_id, values, expected_version=expected_version, now=now)
    await _replace_children(prison_id, windows, closures, now)
    return version


async def add_closure(prison_id: UUID, closure: Closure, now: datetime) -> UUID:
    closure_id = uuid4()
    await PrisonClosureTable.insert(
        PrisonClosureTable(
            id=closure_id,
            prison=prison_id,
            start_date=closure.start_date,
            end_date=closure.end_date,
            reason=closure.reason,
            created_at=now,
            updated_at=now,
        )
    )
    await versioned_update(PrisonTable, prison_id, {}, expected_version=None, now=now)
    return closure_id


async def delete_closure(prison_id: UUID, closure_id: UUID, now: datetime) -> bool:
    rows = await PrisonClosureTable.delete().where(
        (PrisonClosureTable.id == closure_id) & (PrisonClosureTable.prison == prison_id)
    ).returning(PrisonClosureTable.id)
    if rows:
        await versioned_update(PrisonTable, prison_id, {}, expected_version=None, now=now)
    return bool(rows)
