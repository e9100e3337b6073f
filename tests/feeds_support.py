"""Rows for feed tests, written straight into the tables (the visit and plan APIs live in other branches).

Each helper mimics what the owning service does to a row (timestamps, version, revision, transitions), so the
feed sees realistic data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from prison_liaison import clock
from prison_liaison.persistence.tables import (
    AppointmentTable,
    ParticipantTable,
    PlanItemTable,
    VisitAttendeeTable,
    VisitTable,
    VisitTransitionTable,
)


def _now() -> datetime:
    return clock.now()


async def add_visit(
    participant_id: UUID,
    prison_id: UUID | None,
    starts_at: datetime,
    *,
    minutes: int = 60,
    mentor_ids: list[UUID] | tuple[UUID, ...] = (),
    status: str = "planned",
    kind: str = "prison_visit",
    **extra: Any,
) -> UUID:
    now = _now()
    visit_id = uuid4()
    await VisitTable.insert(
        VisitTable(
            id=visit_id,
            participant=participant_id,
            prison=prison_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            kind=kind,
            status="planned",
            revision=0,
            created_at=now,
            updated_at=now,
            **extra,
        )
    )
    for mentor_id in mentor_ids:
        await VisitAttendeeTable.insert(
            VisitAttendeeTable(id=uuid4(), visit=visit_id, user=mentor_id, created_at=now, updated_at=now)
        )
    await _transition(visit_id, "", "planned", now)
    path = {
        "requested": ["requested"],
        "confirmed": ["requested", "confirmed"],
        "completed": ["requested", "confirmed", "completed"],
        "cancelled": ["cancelled"],
    }.get(status, [])
    for to in path:
        await set_visit_status(visit_id, to)
    return visit_id


async def _transition(visit_id: UUID, from_status: str, to_status: str, now: datetime) -> None:
    await VisitTransitionTable.insert(
        VisitTransitionTable(
            id=uuid4(),
            visit=visit_id,
            from_status=from_status,
            to_status=to_status,
            at=now,
            created_at=now,
            updated_at=now,
        )
    )


async def set_visit_status(visit_id: UUID, to_status: str, **extra: Any) -> None:
    """As the visit service does: the status changes, a transition is recorded, the revision stays."""
    now = _now()
    row = await VisitTable.select(VisitTable.status).where(VisitTable.id == visit_id).first()
    values: dict[Any, Any] = {
        VisitTable.status: to_status,
        VisitTable.updated_at: now,
        VisitTable.version: VisitTable.version + 1,
    }
    if to_status == "requested":
        values[VisitTable.requested_at] = now
    for key, value in extra.items():
        values[getattr(VisitTable, key)] = value
    await VisitTable.update(values).where(VisitTable.id == visit_id)
    await _transition(visit_id, row["status"], to_status, now)


async def move_visit(visit_id: UUID, starts_at: datetime, *, minutes: int = 60) -> None:
    """As the visit service does: same id, revision + 1; a visit the prison knew is asked for again."""
    now = _now()
    row = (
        await VisitTable.select(VisitTable.status, VisitTable.revision)
        .where(VisitTable.id == visit_id)
        .first()
    )
    values: dict[Any, Any] = {
        VisitTable.starts_at: starts_at,
        VisitTable.ends_at: starts_at + timedelta(minutes=minutes),
        VisitTable.revision: row["revision"] + 1,
        VisitTable.updated_at: now,
        VisitTable.version: VisitTable.version + 1,
    }
    if row["status"] != "planned":
        values[VisitTable.status] = "planned"
        values[VisitTable.requested_at] = None
        await _transition(visit_id, row["status"], "planned", now)
    await VisitTable.update(values).where(VisitTable.id == visit_id)


async def add_appointment(
    participant_id: UUID, starts_at: datetime, *, agency: str = "Jobcenter", minutes: int = 60, **extra: Any
) -> UUID:
    now = _now()
    appointment_id = uuid4()
    await AppointmentTable.insert(
        AppointmentTable(
            id=appointment_id,
            participant=participant_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            agency=agency,
            created_at=now,
            updated_at=now,
            **extra,
        )
    )
    return appointment_id


async def add_plan_item(
    participant_id: UUID,
    latest_due: date,
    *,
    title: str = "Personalausweis beantragen",
    domain: str = "identity",
    status: str = "open",
) -> UUID:
    now = _now()
    item_id = uuid4()
    await PlanItemTable.insert(
        PlanItemTable(
            id=item_id,
            participant=participant_id,
            domain=domain,
            title_de=title,
            latest_due=latest_due,
            status=status,
            created_at=now,
            updated_at=now,
        )
    )
    return item_id


async def update_plan_item(item_id: UUID, **values: Any) -> None:
    payload: dict[Any, Any] = {getattr(PlanItemTable, k): v for k, v in values.items()}
    payload[PlanItemTable.updated_at] = _now()
    payload[PlanItemTable.version] = PlanItemTable.version + 1
    await PlanItemTable.update(payload).where(PlanItemTable.id == item_id)


async def set_planning_date(participant_id: UUID, planning_date: date | None) -> None:
    """As the release-date service does: the cached planning date changes through a versioned update."""
    await ParticipantTable.update(
        {
            ParticipantTable.planning_date: planning_date,
            ParticipantTable.updated_at: _now(),
            ParticipantTable.version: ParticipantTable.version + 1,
        }
    ).where(ParticipantTable.id == participant_id)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
