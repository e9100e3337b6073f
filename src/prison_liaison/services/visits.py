"""Prison visits: book, move, walk through the lifecycle, find slots, plan series, review after a transfer.

Every booking is judged by ``planning.visits.check_visit`` inside the write transaction, with the people
involved locked, so two mentors booking at once cannot both win.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.persistence import visits as visits_repo
from prison_liaison.planning import visits as rules
from prison_liaison.planning.errors import Conflict, Forbidden, NotFound, StaleVersion, ValidationFailed
from prison_liaison.planning.models import Participant, ParticipantStatus, Prison, Role
from prison_liaison.planning.visits import (
    BusyIndex,
    CadenceState,
    CancelledBy,
    CancelReason,
    Proposal,
    ReviewReason,
    Slot,
    Transition,
    Violation,
    Visit,
    VisitStatus,
)
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller

MAX_SLOT_RANGE_DAYS = 186


class SeriesOutcome(msgspec.Struct, frozen=True, kw_only=True):
    series_id: UUID
    created: tuple[Visit, ...]
    refused: tuple[tuple[Slot, Violation], ...]


class CadenceEntry(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    code: str
    initials: str
    state: CadenceState


def _conflict(violations: list[Violation]) -> Conflict:
    first = violations[0]
    return Conflict(
        first.detail,
        code=first.code,
        field=first.field,
        conflict=first.conflict,
        violations=[
            {"code": v.code, "detail": v.detail, "field": v.field, "conflict": v.conflict} for v in violations
        ],
    )


def _minute_precision(value: datetime, field: str) -> datetime:
    if value.second or value.microsecond:
        raise ValidationFailed("times are whole minutes (no seconds)", field=field)
    return value.astimezone(UTC)


def _check_mentors(participant: Participant, mentor_ids: list[UUID]) -> list[UUID]:
    assigned = {m.mentor_id for m in participant.mentors}
    unique = list(dict.fromkeys(mentor_ids))
    for m in unique:
        if m not in assigned:
            raise ValidationFailed(
                "mentor_ids may name only the participant's current lead and co-mentor",
                field="mentor_ids",
                code="not_a_mentor",
            )
    return unique


def _override(caller: Caller, reason: str | None) -> str:
    """A coordinator may waive the lead time for an urgent visit, with a reason that is kept on the visit."""
    if not reason:
        return ""
    if caller.role != Role.COORDINATOR:
        raise Forbidden(
            "only coordinators may override the booking lead time",
            code="override_not_allowed",
            field="lead_time_override_reason",
        )
    return reason.strip()


async def _prison_for(participant: Participant, kind: str) -> Prison | None:
    if not rules.is_prison_visit(kind) or participant.prison_id is None:
        return None
    return await prisons_repo.get_prison(participant.prison_id)


async def _evaluate(
    participant: Participant,
    prison: Prison | None,
    proposal: Proposal,
    *,
    check_lead_time: bool,
    extra_busy: list[rules.Busy] | None = None,
) -> list[Violation]:
    mentor_busy = await visits_repo.mentor_busy(
        list(proposal.mentor_ids), proposal.starts_at, proposal.ends_at
    )
    participant_busy = await visits_repo.participant_busy(
        participant.id, proposal.starts_at, proposal.ends_at
    )
    for b in extra_busy or []:
        (participant_busy if b.who == participant.id else mentor_busy).append(b)
    return rules.check_visit(
        proposal,
        participant=participant,
        prison=prison,
        mentor_busy=BusyIndex(mentor_busy),
        participant_busy=BusyIndex(participant_busy),
        now=clock.now(),
        check_lead_time=check_lead_time,
    )


async def _load_visit(caller: Caller, visit_id: UUID) -> Visit:
    access.require_user(caller)
    visit = await visits_repo.get_visit(visit_id, access.participant_scope(caller))
    if visit is None:
        raise NotFound("visit not found")
    return visit


async def _load_for_write(caller: Caller, visit_id: UUID) -> tuple[Visit, Participant]:
    visit = await _load_visit(caller, visit_id)
    participant, _ = await access.load_participant(caller, visit.participant_id, write=True)
    return visit, participant


async def _reload(caller: Caller, visit_id: UUID) -> Visit:
    visit = await visits_repo.get_visit(visit_id, access.participant_scope(caller))
    assert visit is not None
    return visit


# --- reads -----------------------------------------------------------------------------------------------


async def list_visits(
    caller: Caller,
    *,
    limit: int,
    cursor: str | None = None,
    participant_id: UUID | None = None,
    prison_id: UUID | None = None,
    mentor_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    statuses: list[str] | None = None,
    needs_review: bool | None = None,
) -> tuple[list[Visit], str | None]:
    """Visits of the participants the caller may see; ``start``/``end`` are Berlin dates, inclusive."""
    access.require_user(caller)
    for value, field in ((start, "from"), (end, "to")):
        if value is not None:
            rules.check_date(value, field)
    if start and end and end < start:
        raise ValidationFailed("'to' must not be before 'from'", field="to")
    lo = rules.day_bounds(start, "Europe/Berlin")[0] if start else None
    hi = rules.day_bounds(end, "Europe/Berlin")[1] if end else None
    if caller.role == Role.PRISON_STAFF:
        # the gate's view: visits at their own prison that the prison was asked for, nothing else
        if prison_id is not None and prison_id != caller.prison_id:
            return [], None
        prison_id = caller.prison_id
        statuses = [s for s in (statuses or STAFF_VISIBLE_STATUSES) if s in STAFF_VISIBLE_STATUSES] or ["-"]
    items, next_cursor = await visits_repo.list_visits(
        access.participant_scope(caller),
        limit=limit,
        cursor=cursor,
        participant_id=participant_id,
        prison_id=prison_id,
        mentor_id=mentor_id,
        start=lo,
        end=hi,
        statuses=statuses,
        needs_review=needs_review,
    )
    await audit.record(
        caller,
        "visit.listed",
        subject_type="visit",
        ids=[str(v.id) for v in items],
        # only a list that showed this participant's visits belongs in their access history
        participant_id=participant_id if any(v.participant_id == participant_id for v in items) else None,
    )
    if caller.role == Role.PRISON_STAFF:
        items = [_for_prison_staff(v) for v in items]
    return items, next_cursor


STAFF_VISIBLE_STATUSES = ("requested", "confirmed", "completed")


def _for_prison_staff(visit: Visit) -> Visit:
    """Prison staff see when, where and who — not the programme's notes and reasons."""
    return msgspec.structs.replace(
        visit, cancel_note="", review_note="", lead_time_override_reason="", review_reason="", location=""
    )


async def get_visit(caller: Caller, visit_id: UUID) -> tuple[Visit, list[Transition]]:
    visit = await _load_visit(caller, visit_id)
    if caller.role == Role.PRISON_STAFF:
        if visit.prison_id != caller.prison_id or visit.status.value not in STAFF_VISIBLE_STATUSES:
            raise NotFound("visit not found")
        visit = _for_prison_staff(visit)
        history: list[Transition] = []
    else:
        history = await visits_repo.transitions(visit_id)
    await audit.record(
        caller,
        "visit.read",
        subject_type="visit",
        subject_id=visit_id,
        participant_id=visit.participant_id,
    )
    return visit, history


# --- booking ---------------------------------------------------------------------------------------------


async def create_visit(
    caller: Caller,
    *,
    participant_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    mentor_ids: list[UUID],
    kind: str = rules.KIND_PRISON_VISIT,
    room: str = "",
    location: str = "",
    lead_time_override_reason: str | None = None,
) -> Visit:
    """Plan a visit; it is accepted only if every rule of the domain holds (else 409 with the rule's code)."""
    rules.check_kind(kind)
    rules.check_times(starts_at, ends_at)
    starts_at, ends_at = _minute_precision(starts_at, "starts_at"), _minute_precision(ends_at, "ends_at")
    override = _override(caller, lead_time_override_reason)
    now = clock.now()
    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        mentors = _check_mentors(participant, mentor_ids)
        await visits_repo.lock_people(participant_id, mentors)
        prison = await _prison_for(participant, kind)
        proposal = Proposal(starts_at=starts_at, ends_at=ends_at, kind=kind, mentor_ids=tuple(mentors))
        violations = await _evaluate(participant, prison, proposal, check_lead_time=not override)
        if violations:
            raise _conflict(violations)
        visit_id = await _insert(
            caller, participant, prison, proposal, room=room, location=location, override=override, now=now
        )
        await audit.record(
            caller,
            "visit.created",
            subject_type="visit",
            subject_id=visit_id,
            participant_id=participant_id,
            starts_at=starts_at,
            lead_time_overridden=bool(override),
        )
        return await _reload(caller, visit_id)


async def _insert(
    caller: Caller,
    participant: Participant,
    prison: Prison | None,
    proposal: Proposal,
    *,
    room: str,
    location: str,
    override: str,
    now: datetime,
    series_id: UUID | None = None,
) -> UUID:
    visit_id = await visits_repo.insert_visit(
        {
            "participant": participant.id,
            "prison": prison.id if prison else None,
            "starts_at": proposal.starts_at,
            "ends_at": proposal.ends_at,
            "kind": proposal.kind,
            "status": VisitStatus.PLANNED.value,
            "revision": 0,
            "room": room,
            "location": location,
            "lead_time_override_reason": override,
            "series_id": series_id,
            "created_by": caller.user_id,
        },
        list(proposal.mentor_ids),
        now,
    )
    await visits_repo.add_transition(
        visit_id,
        "",
        VisitStatus.PLANNED.value,
        actor_id=caller.user_id,
        at=now,
        reason=f"lead time overridden: {override}" if override else "",
    )
    return visit_id


async def update_visit(
    caller: Caller, visit_id: UUID, changes: dict[str, Any], *, expected_version: int
) -> Visit:
    """Move or edit a visit: it keeps its id, its revision goes up; a moved visit is asked for again."""
    now = clock.now()
    async with db.transaction():
        visit, participant = await _load_for_write(caller, visit_id)
        if visit.status not in rules.OPEN_STATUSES:
            raise Conflict(
                f"a {visit.status.value} visit cannot be changed", code="visit_closed", field="status"
            )
        if visit.version != expected_version:
            raise _stale()
        starts_at = changes.get("starts_at", visit.starts_at)
        ends_at = changes.get("ends_at", visit.ends_at)
        kind = changes.get("kind", visit.kind)
        rules.check_kind(kind)
        rules.check_times(starts_at, ends_at)
        starts_at, ends_at = _minute_precision(starts_at, "starts_at"), _minute_precision(ends_at, "ends_at")
        mentors = (
            _check_mentors(participant, changes["mentor_ids"])
            if "mentor_ids" in changes
            else list(visit.mentor_ids)
        )
        override = (
            _override(caller, changes["lead_time_override_reason"])
            if changes.get("lead_time_override_reason")
            else visit.lead_time_override_reason
        )
        prison = await _prison_for(participant, kind)
        moved = (
            (starts_at, ends_at) != (visit.starts_at, visit.ends_at)
            or kind != visit.kind
            or ((prison.id if prison else None) != visit.prison_id)
        )
        rebook = moved or set(mentors) != set(visit.mentor_ids)
        values: dict[str, Any] = {}
        if rebook:
            await visits_repo.lock_people(participant.id, mentors)
            proposal = Proposal(
                starts_at=starts_at, ends_at=ends_at, kind=kind, mentor_ids=tuple(mentors), visit_id=visit.id
            )
            violations = await _evaluate(participant, prison, proposal, check_lead_time=not override)
            if violations:
                raise _conflict(violations)
            values.update(
                starts_at=starts_at,
                ends_at=ends_at,
                kind=kind,
                prison=prison.id if prison else None,
                lead_time_override_reason=override,
            )
            if set(mentors) != set(visit.mentor_ids):
                await visits_repo.replace_attendees(visit.id, mentors, now)
        for key in ("room", "location"):
            if key in changes and changes[key] != getattr(visit, key):
                values[key] = changes[key]
        if not values:
            return visit
        if moved:
            values.update(needs_review=False, review_reason="", review_note="")
            if visit.status != VisitStatus.PLANNED:
                # the prison agreed to the old time only: ask again
                values.update(status=VisitStatus.PLANNED.value, requested_at=None)
                await visits_repo.add_transition(
                    visit.id,
                    visit.status.value,
                    VisitStatus.PLANNED.value,
                    actor_id=caller.user_id,
                    at=now,
                    reason="moved",
                )
        values["revision"] = visit.revision + 1
        await visits_repo.update_visit(visit.id, values, expected_version=expected_version, now=now)
        await audit.record(
            caller,
            "visit.moved" if moved else "visit.updated",
            subject_type="visit",
            subject_id=visit.id,
            participant_id=participant.id,
            fields=sorted(changes),
        )
        return await _reload(caller, visit.id)


def _stale() -> StaleVersion:
    return StaleVersion(
        "the visit was changed by someone else; reload it and apply your change again", field="If-Match"
    )


# --- lifecycle -------------------------------------------------------------------------------------------


async def _transition(
    caller: Caller,
    visit_id: UUID,
    to: VisitStatus,
    *,
    expected_version: int | None,
    reason: str = "",
    values: dict[str, Any] | None = None,
) -> tuple[Visit, Participant]:
    visit, participant = await _load_for_write(caller, visit_id)
    if expected_version is not None and visit.version != expected_version:
        raise _stale()
    if not rules.check_transition(visit.status, to):
        raise Conflict(
            f"a {visit.status.value} visit cannot become {to.value}",
            code="invalid_transition",
            field="status",
            current_status=visit.status.value,
        )
    now = clock.now()
    await visits_repo.update_visit(
        visit.id, {"status": to.value, **(values or {})}, expected_version=None, now=now
    )
    await visits_repo.add_transition(
        visit.id, visit.status.value, to.value, actor_id=caller.user_id, at=now, reason=reason
    )
    await audit.record(
        caller,
        f"visit.{to.value}",
        subject_type="visit",
        subject_id=visit.id,
        participant_id=visit.participant_id,
        from_status=visit.status.value,
    )
    return visit, participant


async def request_visit(
    caller: Caller,
    visit_id: UUID,
    *,
    expected_version: int | None = None,
    lead_time_override_reason: str | None = None,
) -> Visit:
    """Mark the visit as asked for at the prison; rules (lead time from today) are checked again."""
    override = _override(caller, lead_time_override_reason)
    async with db.transaction():
        visit, participant = await _load_for_write(caller, visit_id)
        override = override or visit.lead_time_override_reason
        await visits_repo.lock_people(participant.id, list(visit.mentor_ids))
        prison = await _prison_for(participant, visit.kind)
        proposal = Proposal(
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            kind=visit.kind,
            mentor_ids=visit.mentor_ids,
            visit_id=visit.id,
        )
        violations = await _evaluate(participant, prison, proposal, check_lead_time=not override)
        if violations:
            raise _conflict(violations)
        await _transition(
            caller,
            visit_id,
            VisitStatus.REQUESTED,
            expected_version=expected_version,
            values={"requested_at": clock.now(), "lead_time_override_reason": override},
            reason=f"lead time overridden: {override}" if override else "",
        )
        return await _reload(caller, visit_id)


async def confirm_visit(
    caller: Caller, visit_id: UUID, *, expected_version: int | None = None, room: str | None = None
) -> Visit:
    async with db.transaction():
        await _transition(
            caller,
            visit_id,
            VisitStatus.CONFIRMED,
            expected_version=expected_version,
            values={"room": room} if room else None,
        )
        return await _reload(caller, visit_id)


async def complete_visit(
    caller: Caller,
    visit_id: UUID,
    *,
    attendance: dict[UUID, bool] | None,
    expected_version: int | None = None,
    note: str = "",
) -> Visit:
    """Record that the visit took place, and who of the mentors was there (default: everyone planned)."""
    async with db.transaction():
        visit = await _load_visit(caller, visit_id)
        _check_started(visit)
        planned = set(visit.mentor_ids)
        attended = dict.fromkeys(planned, True)
        for user_id, value in (attendance or {}).items():
            if user_id not in planned:
                raise ValidationFailed("attendance may name only the visit's mentors", field="attendance")
            attended[user_id] = value
        if not any(attended.values()):
            raise Conflict(
                "a visit no mentor attended did not take place: cancel it instead",
                code="no_mentor",
                field="attendance",
            )
        await _transition(
            caller, visit_id, VisitStatus.COMPLETED, expected_version=expected_version, reason=note
        )
        await visits_repo.set_attendance(visit_id, attended, clock.now())
        return await _reload(caller, visit_id)


async def no_show_visit(
    caller: Caller, visit_id: UUID, *, expected_version: int | None = None, note: str = ""
) -> Visit:
    async with db.transaction():
        visit = await _load_visit(caller, visit_id)
        _check_started(visit)
        await _transition(
            caller, visit_id, VisitStatus.NO_SHOW, expected_version=expected_version, reason=note
        )
        return await _reload(caller, visit_id)


def _check_started(visit: Visit) -> None:
    if visit.starts_at > clock.now():
        raise Conflict(
            "the visit has not started yet",
            code="visit_not_started",
            field="status",
            starts_at=visit.starts_at.isoformat(),
        )


async def cancel_visit(
    caller: Caller,
    visit_id: UUID,
    *,
    reason: str,
    cancelled_by: str,
    note: str = "",
    expected_version: int | None = None,
) -> Visit:
    """Cancel with a reason code and who cancelled; the visit stays on record."""
    try:
        code = CancelReason(reason)
    except ValueError as exc:
        raise ValidationFailed(
            f"reason must be one of {', '.join(r.value for r in CancelReason)}", field="reason"
        ) from exc
    try:
        party = CancelledBy(cancelled_by)
    except ValueError as exc:
        raise ValidationFailed(
            "cancelled_by must be mentor, participant or prison", field="cancelled_by"
        ) from exc
    if code == CancelReason.OTHER and not note.strip():
        raise ValidationFailed("say why in 'note' when the reason is 'other'", field="note")
    async with db.transaction():
        await _transition(
            caller,
            visit_id,
            VisitStatus.CANCELLED,
            expected_version=expected_version,
            reason=f"{code.value}: {note}".strip(": "),
            values={
                "cancel_reason": code.value,
                "cancelled_by_party": party.value,
                "cancel_note": note,
                "needs_review": False,
            },
        )
        return await _reload(caller, visit_id)


async def keep_visit(caller: Caller, visit_id: UUID, *, reason: str) -> Visit:
    """Resolve a review by keeping the visit as it is, saying why."""
    if not reason.strip():
        raise ValidationFailed("say why the visit is kept", field="reason")
    async with db.transaction():
        visit, participant = await _load_for_write(caller, visit_id)
        if not visit.needs_review:
            raise Conflict("the visit is not flagged for review", code="not_flagged", field="needs_review")
        await visits_repo.update_visit(
            visit.id,
            {"needs_review": False, "review_note": reason.strip()},
            expected_version=None,
            now=clock.now(),
        )
        await audit.record(
            caller,
            "visit.kept",
            subject_type="visit",
            subject_id=visit.id,
            participant_id=participant.id,
            review_reason=visit.review_reason,
        )
        return await _reload(caller, visit.id)


async def flag_for_review(
    caller: Caller, participant_id: UUID, reason: ReviewReason, *, new_prison_id: UUID | None = None
) -> int:
    """In the caller's transaction: flag future prison visits after a transfer or release."""
    visits = [
        v
        for v in await visits_repo.future_open_visits(participant_id, clock.now())
        if new_prison_id is None or v.prison_id != new_prison_id
    ]
    now = clock.now()
    for v in visits:
        await visits_repo.update_visit(
            v.id, {"needs_review": True, "review_reason": reason.value}, expected_version=None, now=now
        )
    if visits:
        await audit.record(
            caller,
            "visit.flagged_for_review",
            subject_type="participant",
            subject_id=participant_id,
            participant_id=participant_id,
            reason=reason.value,
            ids=[str(v.id) for v in visits],
        )
    return len(visits)


async def flag_after_release_date(caller: Caller, participant_id: UUID, planning_date: date | None) -> int:
    """In the caller's transaction (for the release-date ledger): when the planned release moves earlier,
    future prison visits on or after it are flagged for review (rule 5), never dropped."""
    if planning_date is None:
        return 0
    visits = [
        v
        for v in await visits_repo.future_open_visits(participant_id, clock.now())
        if v.prison_id is not None
        and rules.local_date(v.starts_at, "Europe/Berlin") >= planning_date
        and not v.needs_review
    ]
    now = clock.now()
    for v in visits:
        await visits_repo.update_visit(
            v.id,
            {"needs_review": True, "review_reason": ReviewReason.RELEASE_DATE_CHANGED.value},
            expected_version=None,
            now=now,
        )
    if visits:
        await audit.record(
            caller,
            "visit.flagged_for_review",
            subject_type="participant",
            subject_id=participant_id,
            participant_id=participant_id,
            reason=ReviewReason.RELEASE_DATE_CHANGED.value,
            ids=[str(v.id) for v in visits],
        )
    return len(visits)


# --- slot finder, cadence, series ------------------------------------------------------------------------


async def find_slots(
    caller: Caller,
    participant_id: UUID,
    *,
    start: date | None,
    end: date | None,
    minutes: int,
    limit: int = 20,
    kind: str = rules.KIND_PRISON_VISIT,
) -> list[Slot]:
    """Feasible slots for the participant with both current mentors attending, earliest first."""
    participant, _ = await access.load_participant(caller, participant_id, write=True)
    rules.check_kind(kind)
    today = clock.today()
    start = rules.check_date(start or today, "from")
    end = rules.check_date(end or start + timedelta(days=28), "to")
    if end < start:
        raise ValidationFailed("'to' must not be before 'from'", field="to")
    if (end - start).days > MAX_SLOT_RANGE_DAYS:
        raise ValidationFailed(f"search at most {MAX_SLOT_RANGE_DAYS} days at once", field="to")
    if not rules.is_in_prison(participant) or participant.prison_id is None:
        raise Conflict(
            "the participant is not in custody at a prison: meetings need no slot",
            code="after_release",
            field="participant_id",
        )
    prison = await prisons_repo.get_prison(participant.prison_id)
    if prison is None:
        raise NotFound("prison not found")
    if minutes > prison.max_visit_minutes:
        raise ValidationFailed(
            f"{prison.code} allows visits of at most {prison.max_visit_minutes} minutes",
            field="minutes",
            code="too_long",
        )
    mentor_ids = [m.mentor_id for m in participant.mentors]
    if not mentor_ids:
        raise Conflict(
            "the participant has no mentor to visit them", code="no_mentor", field="participant_id"
        )
    lo, hi = rules.day_bounds(start, prison.timezone)[0], rules.day_bounds(end, prison.timezone)[1]
    mentor_busy = await visits_repo.mentor_busy(mentor_ids, lo, hi)
    participant_busy = await visits_repo.participant_busy(participant.id, lo, hi)
    slots = rules.find_slots(
        participant=participant,
        prison=prison,
        mentor_ids=mentor_ids,
        mentor_busy=BusyIndex(mentor_busy),
        participant_busy=BusyIndex(participant_busy),
        start_date=start,
        end_date=end,
        minutes=minutes,
        now=clock.now(),
        kind=kind,
        limit=limit,
    )
    await audit.record(
        caller,
        "visit.slots_searched",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
        start=start,
        end=end,
        found=len(slots),
    )
    return slots


async def cadence(caller: Caller, *, overdue_only: bool = False) -> list[CadenceEntry]:
    """The caller's participants (in custody or released) with last visit, next due date and overdue flag."""
    access.require_role(caller, Role.COORDINATOR, Role.MENTOR)
    rows = await visits_repo.cadence_rows(
        access.participant_scope(caller),
        [ParticipantStatus.IN_CUSTODY.value, ParticipantStatus.RELEASED.value],
    )
    today = clock.today()
    out = []
    for r in rows:
        last = (
            r["last_visit_at"].astimezone(rules.zone("Europe/Berlin")).date() if r["last_visit_at"] else None
        )
        upcoming = (
            r["next_visit_at"].astimezone(rules.zone("Europe/Berlin")).date() if r["next_visit_at"] else None
        )
        since = r["created_at"].astimezone(rules.zone("Europe/Berlin")).date() if r["created_at"] else today
        state = rules.cadence_state(
            participant_id=r["id"],
            cadence_days=r["cadence_days"],
            last_visit_on=last,
            next_planned_on=upcoming,
            since=since,
            today=today,
        )
        if overdue_only and not state.is_overdue:
            continue
        initials = "".join(p[:1].upper() + "." for p in (r["first_name"], r["last_name"]) if p)
        out.append(CadenceEntry(participant_id=r["id"], code=r["code"], initials=initials, state=state))
    await audit.record(
        caller,
        "visit.cadence_listed",
        subject_type="participant",
        ids=[str(e.participant_id) for e in out],
    )
    return out


async def create_series(
    caller: Caller,
    *,
    participant_id: UUID,
    first_date: date,
    start_time: time,
    minutes: int,
    every_weeks: int,
    until: date,
    mentor_ids: list[UUID],
    kind: str = rules.KIND_PRISON_VISIT,
    room: str = "",
) -> SeriesOutcome:
    """Plan a recurring series at once: every occurrence that passes the rules is created, the others are
    listed with the rule they break. Nothing is dropped silently."""
    rules.check_kind(kind)
    if not 15 <= minutes <= 480:
        raise ValidationFailed("minutes must be between 15 and 480", field="minutes")
    now = clock.now()
    series_id = uuid4()
    created: list[UUID] = []
    refused: list[tuple[Slot, Violation]] = []
    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        mentors = _check_mentors(participant, mentor_ids)
        await visits_repo.lock_people(participant_id, mentors)
        prison = await _prison_for(participant, kind)
        tz_name = prison.timezone if prison else "Europe/Berlin"
        occurrences = rules.expand_series(
            first_day=first_date,
            start_time=start_time,
            minutes=minutes,
            every_weeks=every_weeks,
            until=until,
            tz_name=tz_name,
        )
        for slot in occurrences:
            proposal = Proposal(
                starts_at=slot.starts_at, ends_at=slot.ends_at, kind=kind, mentor_ids=tuple(mentors)
            )
            violations = await _evaluate(participant, prison, proposal, check_lead_time=True)
            if violations:
                refused.append((slot, violations[0]))
                continue
            created.append(
                await _insert(
                    caller,
                    participant,
                    prison,
                    proposal,
                    room=room,
                    location="",
                    override="",
                    now=now,
                    series_id=series_id,
                )
            )
        await audit.record(
            caller,
            "visit.series_created",
            subject_type="visit_series",
            subject_id=series_id,
            participant_id=participant_id,
            created=len(created),
            refused=len(refused),
        )
        by_id = {v.id: v for v in await visits_repo.visits_by_ids(created)}
    return SeriesOutcome(
        series_id=series_id, created=tuple(by_id[i] for i in created if i in by_id), refused=tuple(refused)
    )


# --- review list and prison day list ---------------------------------------------------------------------


async def review_list(caller: Caller, *, limit: int, cursor: str | None) -> tuple[list[Visit], str | None]:
    """Future visits flagged after a transfer or release, for the mentors to move, cancel or keep."""
    access.require_role(caller, Role.COORDINATOR, Role.MENTOR)
    return await list_visits(
        caller, limit=limit, cursor=cursor, needs_review=True, statuses=[s.value for s in rules.OPEN_STATUSES]
    )


async def prison_day(caller: Caller, prison_id: UUID, day: date) -> tuple[Prison, list[Visit]]:
    """One prison's visits on one day. Prison staff of that prison see confirmed visits only."""
    access.require_role(caller, Role.COORDINATOR, Role.PRISON_STAFF)
    rules.check_date(day, "date")
    if caller.role == Role.PRISON_STAFF and caller.prison_id != prison_id:
        raise NotFound("prison not found")
    prison = await prisons_repo.get_prison(prison_id)
    if prison is None:
        raise NotFound("prison not found")
    statuses = (
        [VisitStatus.CONFIRMED.value]
        if caller.role == Role.PRISON_STAFF
        else [s.value for s in rules.OPEN_STATUSES | {VisitStatus.COMPLETED, VisitStatus.NO_SHOW}]
    )
    lo, hi = rules.day_bounds(day, prison.timezone)
    visits = await visits_repo.prison_day(prison_id, lo, hi, statuses)
    await audit.record(
        caller,
        "prison.visits_listed",
        subject_type="prison",
        subject_id=prison_id,
        day=day,
        ids=[str(v.id) for v in visits],
    )
    return prison, visits
