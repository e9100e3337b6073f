"""Visits with their attendees and status history; the busy time of mentors and participants."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from prison_liaison.persistence import db
from prison_liaison.persistence.common import decode_cursor, encode_cursor, utc, versioned_update
from prison_liaison.persistence.participants import scope_condition
from prison_liaison.persistence.tables import (
    AppointmentTable,
    ParticipantTable,
    UserTable,
    VisitAttendeeTable,
    VisitTable,
    VisitTransitionTable,
)
from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.planning.models import ParticipantScope
from prison_liaison.planning.visits import (
    BLOCKING_STATUSES,
    KIND_MEETING,
    OPEN_STATUSES,
    Attendee,
    Busy,
    Transition,
    Visit,
    VisitStatus,
)

# the longest travel buffer a prison may set (api: 240 minutes) plus the longest visit: enough margin to find
# every interval that can collide with a proposal
_MARGIN = timedelta(hours=18)


def _visit(row: dict[str, Any], attendees: list[Attendee]) -> Visit:
    return Visit(
        id=row["id"],
        participant_id=row["participant"],
        participant_code=row.get("participant_code") or "",
        prison_id=row["prison"],
        starts_at=_at(row["starts_at"]),
        ends_at=_at(row["ends_at"]),
        kind=row["kind"],
        status=VisitStatus(row["status"]),
        revision=row["revision"],
        attendees=tuple(sorted(attendees, key=lambda a: a.display_name)),
        room=row["room"],
        location=row["location"],
        cancel_reason=row["cancel_reason"],
        cancelled_by=row["cancelled_by_party"],
        cancel_note=row["cancel_note"],
        lead_time_override_reason=row["lead_time_override_reason"],
        requested_at=utc(row["requested_at"]),
        needs_review=bool(row["needs_review"]),
        review_reason=row["review_reason"],
        review_note=row["review_note"],
        series_id=row["series_id"],
        created_by=row["created_by"],
        version=row["version"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )


def _at(value: datetime | None) -> datetime:
    at = utc(value)
    assert at is not None  # the column is NOT NULL
    return at


def _select() -> Any:
    return VisitTable.select(
        VisitTable.all_columns(exclude=[VisitTable.notes_encrypted]),  # type: ignore[arg-type]
        VisitTable.participant.code.as_alias("participant_code"),
    )


async def _attendees(visit_ids: list[UUID]) -> dict[UUID, list[Attendee]]:
    out: dict[UUID, list[Attendee]] = defaultdict(list)
    if not visit_ids:
        return out
    rows = await VisitAttendeeTable.select(
        VisitAttendeeTable.visit,
        VisitAttendeeTable.user,
        VisitAttendeeTable.attended,
        VisitAttendeeTable.user.display_name.as_alias("display_name"),
    ).where(VisitAttendeeTable.visit.is_in(visit_ids))
    for r in rows:
        out[r["visit"]].append(
            Attendee(user_id=r["user"], display_name=r["display_name"], attended=r["attended"])
        )
    return out


async def _with_attendees(rows: list[dict[str, Any]]) -> list[Visit]:
    attendees = await _attendees([r["id"] for r in rows])
    return [_visit(r, attendees[r["id"]]) for r in rows]


async def get_visit(visit_id: UUID, scope: ParticipantScope) -> Visit | None:
    q = _select().where((VisitTable.id == visit_id) & VisitTable.participant.archived_at.is_null())
    cond = scope_condition(scope, VisitTable.participant)
    if cond is not None:
        q = q.where(cond)
    row = await q.first()
    if row is None:
        return None
    return (await _with_attendees([row]))[0]


async def visits_by_ids(ids: list[UUID]) -> list[Visit]:
    if not ids:
        return []
    rows = await _select().where(VisitTable.id.is_in(ids)).order_by(VisitTable.starts_at)
    return await _with_attendees(list(rows))


async def list_visits(
    scope: ParticipantScope,
    *,
    limit: int,
    cursor: str | None = None,
    participant_id: UUID | None = None,
    prison_id: UUID | None = None,
    mentor_id: UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    needs_review: bool | None = None,
) -> tuple[list[Visit], str | None]:
    """Visits ordered by start, then id; ``start``/``end`` select visits overlapping [start, end)."""
    q = _select().where(VisitTable.participant.archived_at.is_null())
    cond = scope_condition(scope, VisitTable.participant)
    if cond is not None:
        q = q.where(cond)
    if participant_id is not None:
        q = q.where(VisitTable.participant == participant_id)
    if prison_id is not None:
        q = q.where(VisitTable.prison == prison_id)
    if mentor_id is not None:
        q = q.where(
            VisitTable.id.is_in(
                VisitAttendeeTable.select(VisitAttendeeTable.visit).where(
                    VisitAttendeeTable.user == mentor_id
                )
            )
        )
    if start is not None:
        q = q.where(VisitTable.ends_at > start)
    if end is not None:
        q = q.where(VisitTable.starts_at < end)
    if statuses:
        q = q.where(VisitTable.status.is_in(statuses))
    if needs_review is not None:
        q = q.where(VisitTable.needs_review == needs_review)
    if cursor:
        at_s, id_s = decode_cursor(cursor, 2)
        try:
            at, last_id = utc(datetime.fromisoformat(at_s)), UUID(id_s)
        except ValueError as exc:
            raise ValidationFailed("cursor is not one this service issued", field="cursor") from exc
        q = q.where((VisitTable.starts_at > at) | ((VisitTable.starts_at == at) & (VisitTable.id > last_id)))
    rows = await q.order_by(VisitTable.starts_at, VisitTable.id).limit(limit + 1)
    page = list(rows[:limit])
    items = await _with_attendees(page)
    next_cursor = encode_cursor(items[-1].starts_at, items[-1].id) if len(rows) > limit else None
    return items, next_cursor


async def transitions(visit_id: UUID) -> list[Transition]:
    rows = await VisitTransitionTable.select(
        VisitTransitionTable.all_columns(),  # type: ignore[arg-type]
        VisitTransitionTable.actor.display_name.as_alias("actor_name"),
    ).where(VisitTransitionTable.visit == visit_id)
    items = [
        Transition(
            from_status=r["from_status"],
            to_status=r["to_status"],
            actor_id=r["actor"],
            actor_name=r["actor_name"] or "",
            at=_at(r["at"]),
            reason=r["reason"],
        )
        for r in rows
    ]
    return _chain(sorted(items, key=lambda t: t.at))


def _chain(items: list[Transition]) -> list[Transition]:
    """Order by time; steps recorded at the same instant follow each other from status to status."""
    out: list[Transition] = []
    current = ""
    while items:
        tied = [t for t in items if t.at == items[0].at]
        step = next((t for t in tied if t.from_status == current), tied[0])
        items.remove(step)
        out.append(step)
        current = step.to_status
    return out


# --- busy time -------------------------------------------------------------------------------------------


async def mentor_busy(mentor_ids: list[UUID], start: datetime, end: datetime) -> list[Busy]:
    """Blocking visits of the mentors that may collide with [start, end), travel buffers included."""
    if not mentor_ids:
        return []
    rows = await VisitAttendeeTable.select(
        VisitAttendeeTable.user,
        VisitAttendeeTable.visit,
        VisitAttendeeTable.visit.starts_at.as_alias("starts_at"),
        VisitAttendeeTable.visit.ends_at.as_alias("ends_at"),
        VisitAttendeeTable.visit.kind.as_alias("kind"),
        VisitAttendeeTable.visit.prison.travel_buffer_minutes.as_alias("buffer"),  # type: ignore[union-attr]
    ).where(
        VisitAttendeeTable.user.is_in(list(set(mentor_ids)))
        & VisitAttendeeTable.visit.status.is_in([s.value for s in BLOCKING_STATUSES])
        & (VisitAttendeeTable.visit.starts_at < end + _MARGIN)
        & (VisitAttendeeTable.visit.ends_at > start - _MARGIN)
    )
    return [
        Busy(
            starts_at=_at(r["starts_at"]),
            ends_at=_at(r["ends_at"]),
            kind="visit",
            id=r["visit"],  # type: ignore[arg-type]
            who=r["user"],
            buffer_minutes=0 if r["kind"] == KIND_MEETING else (r["buffer"] or 0),
        )
        for r in rows
    ]


async def participant_busy(participant_id: UUID, start: datetime, end: datetime) -> list[Busy]:
    """The participant's blocking visits and agency appointments overlapping [start, end) (with margin)."""
    lo, hi = start - _MARGIN, end + _MARGIN
    visits = await VisitTable.select(VisitTable.id, VisitTable.starts_at, VisitTable.ends_at).where(
        (VisitTable.participant == participant_id)
        & VisitTable.status.is_in([s.value for s in BLOCKING_STATUSES])
        & (VisitTable.starts_at < hi)
        & (VisitTable.ends_at > lo)
    )
    appointments = await AppointmentTable.select(
        AppointmentTable.id, AppointmentTable.starts_at, AppointmentTable.ends_at
    ).where(
        (AppointmentTable.participant == participant_id)
        & (AppointmentTable.status != "cancelled")
        & (AppointmentTable.starts_at < hi)
        & (AppointmentTable.ends_at > lo)
    )
    return [
        Busy(
            starts_at=_at(r["starts_at"]),
            ends_at=_at(r["ends_at"]),
            kind="visit",
            id=r["id"],  # type: ignore[arg-type]
            who=participant_id,
        )
        for r in visits
    ] + [
        Busy(
            starts_at=_at(r["starts_at"]),
            ends_at=_at(r["ends_at"]),
            kind="appointment",
            id=r["id"],  # type: ignore[arg-type]
            who=participant_id,
        )
        for r in appointments
    ]


async def lock_people(participant_id: UUID, mentor_ids: list[UUID]) -> None:
    """Serialise bookings that involve the same people (PostgreSQL; SQLite's IMMEDIATE already does)."""
    if db.is_sqlite():
        return
    await (
        ParticipantTable.select(ParticipantTable.id)
        .where(ParticipantTable.id == participant_id)
        .lock_rows("NO KEY UPDATE")
    )
    if mentor_ids:
        await (
            UserTable.select(UserTable.id)
            .where(UserTable.id.is_in(sorted(set(mentor_ids))))
            .order_by(UserTable.id)
            .lock_rows("NO KEY UPDATE")
        )


# --- writes ----------------------------------------------------------------------------------------------


async def insert_visit(values: dict[str, Any], mentor_ids: list[UUID], now: datetime) -> UUID:
    visit_id = uuid4()
    await VisitTable.insert(VisitTable(id=visit_id, created_at=now, updated_at=now, **values))
    await replace_attendees(visit_id, mentor_ids, now)
    return visit_id


async def replace_attendees(visit_id: UUID, mentor_ids: list[UUID], now: datetime) -> None:
    await VisitAttendeeTable.delete().where(VisitAttendeeTable.visit == visit_id)
    if mentor_ids:
        await VisitAttendeeTable.insert(
            *[
                VisitAttendeeTable(id=uuid4(), visit=visit_id, user=m, created_at=now, updated_at=now)
                for m in dict.fromkeys(mentor_ids)
            ]
        )


async def set_attendance(visit_id: UUID, attended: dict[UUID, bool], now: datetime) -> None:
    for user_id, value in attended.items():
        await VisitAttendeeTable.update(
            {VisitAttendeeTable.attended: value, VisitAttendeeTable.updated_at: now}
        ).where((VisitAttendeeTable.visit == visit_id) & (VisitAttendeeTable.user == user_id))


async def update_visit(
    visit_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime
) -> int:
    return await versioned_update(VisitTable, visit_id, values, expected_version=expected_version, now=now)


async def add_transition(
    visit_id: UUID, from_status: str, to_status: str, *, actor_id: UUID | None, at: datetime, reason: str = ""
) -> None:
    await VisitTransitionTable.insert(
        VisitTransitionTable(
            id=uuid4(),
            visit=visit_id,
            from_status=from_status,
            to_status=to_status,
            actor=actor_id,
            at=at,
            reason=reason,
            created_at=at,
            updated_at=at,
        )
    )


async def future_open_visits(participant_id: UUID, after: datetime) -> list[Visit]:
    rows = (
        await _select()
        .where(
            (VisitTable.participant == participant_id)
            & VisitTable.status.is_in([s.value for s in OPEN_STATUSES])
            & (VisitTable.kind != KIND_MEETING)
            & (VisitTable.starts_at > after)
        )
        .order_by(VisitTable.starts_at)
    )
    return await _with_attendees(list(rows))


# --- cadence and day lists -------------------------------------------------------------------------------


async def cadence_rows(scope: ParticipantScope, statuses: list[str]) -> list[dict[str, Any]]:
    """Participants in scope with their cadence, last completed and next open visit (three queries)."""
    q = ParticipantTable.select(
        ParticipantTable.id,
        ParticipantTable.code,
        ParticipantTable.first_name,
        ParticipantTable.last_name,
        ParticipantTable.cadence_days,
        ParticipantTable.created_at,
        ParticipantTable.status,
    ).where(ParticipantTable.archived_at.is_null() & ParticipantTable.status.is_in(statuses))
    cond = scope_condition(scope)
    if cond is not None:
        q = q.where(cond)
    people = list(await q.order_by(ParticipantTable.code))
    ids = [p["id"] for p in people]
    if not ids:
        return []
    visits = await VisitTable.select(VisitTable.participant, VisitTable.starts_at, VisitTable.status).where(
        VisitTable.participant.is_in(ids)
        & VisitTable.status.is_in([VisitStatus.COMPLETED.value, *[s.value for s in OPEN_STATUSES]])
    )
    last: dict[UUID, datetime] = {}
    upcoming: dict[UUID, datetime] = {}
    for v in visits:
        at = utc(v["starts_at"])
        assert at is not None
        pid = v["participant"]
        if v["status"] == VisitStatus.COMPLETED.value:
            if pid not in last or at > last[pid]:
                last[pid] = at
        elif pid not in upcoming or at < upcoming[pid]:
            upcoming[pid] = at
    return [
        {
            **p,
            "created_at": utc(p["created_at"]),
            "last_visit_at": last.get(p["id"]),
            "next_visit_at": upcoming.get(p["id"]),
        }
        for p in people
    ]


async def prison_day(prison_id: UUID, start: datetime, end: datetime, statuses: list[str]) -> list[Visit]:
    rows = (
        await _select()
        .where(
            (VisitTable.prison == prison_id)
            & VisitTable.status.is_in(statuses)
            & (VisitTable.starts_at < end)
            & (VisitTable.ends_at > start)
            & VisitTable.participant.archived_at.is_null()
        )
        .order_by(VisitTable.starts_at)
    )
    return await _with_attendees(list(rows))
