"""Checklist templates, plan items and their status history, agency appointments; visits for replanning."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from prison_liaison.persistence import db
from prison_liaison.persistence.common import json_value, utc, versioned_update
from prison_liaison.persistence.participants import scope_condition
from prison_liaison.persistence.tables import (
    AppointmentTable,
    ChecklistTemplateTable,
    ParticipantTable,
    PlanItemStatusChangeTable,
    PlanItemTable,
    VisitTable,
)
from prison_liaison.planning.models import ParticipantScope
from prison_liaison.planning.offsets import Anchor
from prison_liaison.planning.plans import (
    CLOSED_ITEM_STATUSES,
    Appointment,
    ChecklistTemplate,
    ItemStatus,
    PlanItem,
    StatusChange,
    TemplateItem,
)

# --- templates ----------------------------------------------------------------------------------------------


def _template(row: dict[str, Any]) -> ChecklistTemplate:
    return ChecklistTemplate(
        id=row["id"],
        key=row["key"],
        name=row["name"],
        items=tuple(msgspec.convert(json_value(row["items"]) or [], list[TemplateItem])),
        version=row["version"],
        active=row["active"],
        updated_at=utc(row["updated_at"]),
    )


async def get_template(key: str) -> ChecklistTemplate | None:
    row = await ChecklistTemplateTable.select().where(ChecklistTemplateTable.key == key).first()
    return _template(row) if row else None


async def list_templates() -> list[ChecklistTemplate]:
    rows = await ChecklistTemplateTable.select().order_by(ChecklistTemplateTable.key)
    return [_template(r) for r in rows]


async def insert_template(key: str, name: str, items: tuple[TemplateItem, ...], now: datetime) -> None:
    await ChecklistTemplateTable.insert(
        ChecklistTemplateTable(
            id=uuid4(),
            key=key,
            name=name,
            items=msgspec.to_builtins(items),
            created_at=now,
            updated_at=now,
        )
    )


async def update_template(template_id: UUID, values: dict[str, Any], *, expected_version: int, now: datetime) -> int:
    if "items" in values:
        values = {**values, "items": msgspec.to_builtins(values["items"])}
    return await versioned_update(
        ChecklistTemplateTable, template_id, values, expected_version=expected_version, now=now
    )


# --- plan items ---------------------------------------------------------------------------------------------


def _item(row: dict[str, Any]) -> PlanItem:
    return PlanItem(
        id=row["id"],
        participant_id=row["participant"],
        domain=row["domain"],
        title_de=row["title_de"],
        title_en=row["title_en"],
        item_key=row["item_key"],
        template_key=row["template_key"],
        template_version=row["template_version"],
        owner_role=row["owner_role"],
        anchor=Anchor(row["anchor"]),
        start_offset_days=row["start_offset_days"],
        due_offset_days=row["due_offset_days"],
        earliest_start=row["earliest_start"],
        latest_due=row["latest_due"],
        dates_set_by_hand=row["dates_set_by_hand"],
        depends_on=tuple(UUID(d) for d in json_value(row["depends_on"]) or ()),
        status=ItemStatus(row["status"]),
        status_by=row["status_by"],
        status_at=utc(row["status_at"]),
        status_reason=row["status_reason"],
        shared_with_prison=row["shared_with_prison"],
        position=row["position"],
        notes=row["notes_encrypted"],
        version=row["version"],
    )


def _item_values(item: PlanItem) -> dict[str, Any]:
    return {
        "domain": item.domain,
        "title_de": item.title_de,
        "title_en": item.title_en,
        "item_key": item.item_key,
        "template_key": item.template_key,
        "template_version": item.template_version,
        "owner_role": item.owner_role,
        "anchor": item.anchor.value,
        "start_offset_days": item.start_offset_days,
        "due_offset_days": item.due_offset_days,
        "earliest_start": item.earliest_start,
        "latest_due": item.latest_due,
        "dates_set_by_hand": item.dates_set_by_hand,
        "depends_on": [str(d) for d in item.depends_on],
        "status": item.status.value,
        "status_by": item.status_by,
        "status_at": item.status_at,
        "status_reason": item.status_reason,
        "shared_with_prison": item.shared_with_prison,
        "position": item.position,
        "notes_encrypted": item.notes,
    }


async def list_items(participant_id: UUID) -> list[PlanItem]:
    rows = (
        await PlanItemTable.select().where(PlanItemTable.participant == participant_id).order_by(PlanItemTable.position)
    )
    return [_item(r) for r in rows]


async def get_item(item_id: UUID) -> PlanItem | None:
    row = await PlanItemTable.select().where(PlanItemTable.id == item_id).first()
    return _item(row) if row else None


async def lock_plan(participant_id: UUID) -> None:
    """Serialise plan writes of one participant (PostgreSQL row lock; SQLite transactions are IMMEDIATE)."""
    if not db.is_sqlite():
        await ParticipantTable.raw("SELECT id FROM participant WHERE id = {} FOR UPDATE", participant_id)


async def has_items(participant_id: UUID) -> bool:
    return bool(await PlanItemTable.exists().where(PlanItemTable.participant == participant_id))


async def insert_items(items: list[PlanItem], now: datetime) -> None:
    if not items:
        return
    await PlanItemTable.insert(
        *[
            PlanItemTable(id=i.id, participant=i.participant_id, created_at=now, updated_at=now, **_item_values(i))
            for i in items
        ]
    )


async def update_item(item_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime) -> int:
    if "depends_on" in values:
        values = {**values, "depends_on": [str(d) for d in values["depends_on"]]}
    if "anchor" in values and isinstance(values["anchor"], Anchor):
        values = {**values, "anchor": values["anchor"].value}
    if "status" in values and isinstance(values["status"], ItemStatus):
        values = {**values, "status": values["status"].value}
    return await versioned_update(PlanItemTable, item_id, values, expected_version=expected_version, now=now)


async def delete_item(item_id: UUID) -> None:
    await AppointmentTable.update({AppointmentTable.plan_item: None}).where(AppointmentTable.plan_item == item_id)
    await PlanItemStatusChangeTable.delete().where(PlanItemStatusChangeTable.plan_item == item_id)
    await PlanItemTable.delete().where(PlanItemTable.id == item_id)


async def insert_status_change(
    item_id: UUID, *, from_status: str, to_status: str, actor_id: UUID | None, reason: str, now: datetime
) -> None:
    await PlanItemStatusChangeTable.insert(
        PlanItemStatusChangeTable(
            id=uuid4(),
            plan_item=item_id,
            from_status=from_status,
            to_status=to_status,
            actor=actor_id,
            at=now,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
    )


async def status_history(item_ids: list[UUID]) -> dict[UUID, list[StatusChange]]:
    out: dict[UUID, list[StatusChange]] = defaultdict(list)
    if not item_ids:
        return out
    rows = (
        await PlanItemStatusChangeTable.select()
        .where(PlanItemStatusChangeTable.plan_item.is_in(item_ids))
        .order_by(PlanItemStatusChangeTable.at)
    )
    for r in rows:
        out[r["plan_item"]].append(
            StatusChange(
                plan_item_id=r["plan_item"],
                from_status=r["from_status"],
                to_status=r["to_status"],
                actor_id=r["actor"],
                at=utc(r["at"]),  # type: ignore[arg-type]
                reason=r["reason"],
            )
        )
    return out


def _of_participants(column: Any, who: list[UUID] | ParticipantScope) -> Any:
    """A condition on a participant column: an explicit list of ids, or a caller's scope as a sub-select (a
    coordinator sees tens of thousands of cases: too many to pass as parameters)."""
    if not isinstance(who, ParticipantScope):
        return column.is_in(who)
    # through the join on the participant, not "IN (every live participant)": SQLite evaluated that list
    # first and scanned every plan item (137 ms for a mentor's agenda at 50 000 cases, 0.x ms now)
    live = column.archived_at.is_null()
    scoped = scope_condition(who, column)
    return live if scoped is None else live & scoped


async def items_for_participants(
    participant_ids: list[UUID] | ParticipantScope, *, open_due_until: date | None = None
) -> list[tuple[PlanItem, str, str]]:
    """Every item of these participants with the participant's code and status (for the agenda); with
    ``open_due_until``, only the items not closed that are due by then (a mentor's whole caseload is ~1 700
    items, of which the agenda shows a few dozen)."""
    if not participant_ids:
        return []
    query = PlanItemTable.select(
        *PlanItemTable.all_columns(),
        PlanItemTable.participant.code.as_alias("participant_code"),
        PlanItemTable.participant.status.as_alias("participant_status"),
    ).where(_of_participants(PlanItemTable.participant, participant_ids))
    if open_due_until is not None:
        query = query.where(
            PlanItemTable.latest_due.is_not_null()
            & (PlanItemTable.latest_due <= open_due_until)
            & PlanItemTable.status.not_in([s.value for s in CLOSED_ITEM_STATUSES])
        )
    rows = await query
    return [(_item(r), r["participant_code"], r["participant_status"]) for r in rows]


# --- appointments -------------------------------------------------------------------------------------------


def _appointment(row: dict[str, Any]) -> Appointment:
    return Appointment(
        id=row["id"],
        participant_id=row["participant"],
        plan_item_id=row["plan_item"],
        starts_at=utc(row["starts_at"]),  # type: ignore[arg-type]
        ends_at=utc(row["ends_at"]),  # type: ignore[arg-type]
        agency=row["agency"],
        place=row["place"],
        contact=row["contact"],
        what_to_bring=row["what_to_bring"],
        status=row["status"],
        sequence=row["sequence"],
        shared_with_prison=row["shared_with_prison"],
        version=row["version"],
        participant_code=row.get("participant_code") or "",
    )


async def list_appointments(participant_id: UUID) -> list[Appointment]:
    rows = (
        await AppointmentTable.select()
        .where(AppointmentTable.participant == participant_id)
        .order_by(AppointmentTable.starts_at)
    )
    return [_appointment(r) for r in rows]


async def appointments_between(
    participant_ids: list[UUID] | ParticipantScope, start: datetime, end: datetime
) -> list[Appointment]:
    if not participant_ids:
        return []
    rows = (
        await AppointmentTable.select(
            *AppointmentTable.all_columns(),
            AppointmentTable.participant.code.as_alias("participant_code"),
        )
        .where(
            _of_participants(AppointmentTable.participant, participant_ids)
            & (AppointmentTable.starts_at >= start)
            & (AppointmentTable.starts_at < end)
            & (AppointmentTable.status != "cancelled")
        )
        .order_by(AppointmentTable.starts_at)
    )
    return [_appointment(r) for r in rows]


async def get_appointment(appointment_id: UUID) -> Appointment | None:
    row = await AppointmentTable.select().where(AppointmentTable.id == appointment_id).first()
    return _appointment(row) if row else None


async def insert_appointment(participant_id: UUID, values: dict[str, Any], now: datetime) -> UUID:
    appointment_id = uuid4()
    await AppointmentTable.insert(
        AppointmentTable(
            id=appointment_id,
            participant=participant_id,
            created_at=now,
            updated_at=now,
            **{("plan_item" if k == "plan_item_id" else k): v for k, v in values.items()},
        )
    )
    return appointment_id


async def update_appointment(
    appointment_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime
) -> int:
    values = {("plan_item" if k == "plan_item_id" else k): v for k, v in values.items()}
    return await versioned_update(AppointmentTable, appointment_id, values, expected_version=expected_version, now=now)


async def delete_appointment(appointment_id: UUID) -> None:
    await AppointmentTable.delete().where(AppointmentTable.id == appointment_id)


# --- visits, for replanning ---------------------------------------------------------------------------------

ACTIVE_VISIT_STATUSES = ("planned", "requested", "confirmed")


async def visits_after(participant_id: UUID, after: datetime) -> list[dict[str, Any]]:
    """Prison visits still on the calendar that start at or after ``after`` (meetings after release are fine)."""
    rows = (
        await VisitTable.select(VisitTable.id, VisitTable.starts_at, VisitTable.status)
        .where(
            (VisitTable.participant == participant_id)
            & (VisitTable.starts_at >= after)
            & VisitTable.status.is_in(list(ACTIVE_VISIT_STATUSES))
            & (VisitTable.kind != "meeting")
        )
        .order_by(VisitTable.starts_at)
    )
    return [
        {"id": str(r["id"]), "starts_at": utc(r["starts_at"]).isoformat(), "status": r["status"]}  # type: ignore[union-attr]
        for r in rows
    ]


async def participant_land(participant_id: UUID) -> str:
    row = (
        await ParticipantTable.select(ParticipantTable.prison.land.as_alias("land"))
        .where(ParticipantTable.id == participant_id)
        .first()
    )
    return (row or {}).get("land") or "NW"


def date_key(value: date | None) -> str:
    return value.isoformat() if value else ""
