"""Prison visits: the lifecycle, the feasibility rules 1–6 of the domain, cadence and recurring series — pure.

Every rule is evaluated in the prison's local time zone: a window "09:00–12:00" means 09:00–12:00 on the wall
clock of the prison on that date, whatever the UTC offset is that day (DST weekends included). Lengths and
overlaps are measured between instants, so a visit across a DST switch has its real length.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from uuid import UUID
from zoneinfo import ZoneInfo

import holidays
import msgspec

from prison_liaison.planning.errors import ValidationFailed
from prison_liaison.planning.models import Closure, Participant, ParticipantStatus, Prison, VisitingWindow

KIND_PRISON_VISIT = "prison_visit"
KIND_MEETING = "meeting"  # after release: a meeting anywhere, no prison rules
KIND_RE = re.compile(r"^[a-z][a-z_]{1,39}$")
MAX_SERIES_OCCURRENCES = 60
SLOT_STEP_MINUTES = 30


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


OPEN_STATUSES = frozenset({VisitStatus.PLANNED, VisitStatus.REQUESTED, VisitStatus.CONFIRMED})
# a visit that happened or may still happen occupies its people's time
BLOCKING_STATUSES = frozenset({*OPEN_STATUSES, VisitStatus.COMPLETED, VisitStatus.NO_SHOW})

TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    VisitStatus.PLANNED: frozenset({VisitStatus.REQUESTED, VisitStatus.CANCELLED}),
    VisitStatus.REQUESTED: frozenset({VisitStatus.CONFIRMED, VisitStatus.CANCELLED}),
    VisitStatus.CONFIRMED: frozenset({VisitStatus.COMPLETED, VisitStatus.NO_SHOW, VisitStatus.CANCELLED}),
    VisitStatus.COMPLETED: frozenset(),
    VisitStatus.CANCELLED: frozenset(),
    VisitStatus.NO_SHOW: frozenset(),
}


class CancelReason(enum.StrEnum):
    PARTICIPANT_DECLINED = "participant_declined"
    MENTOR_UNAVAILABLE = "mentor_unavailable"
    PRISON_CANCELLED = "prison_cancelled"
    LOCKDOWN = "lockdown"
    PARTICIPANT_TRANSFERRED = "participant_transferred"
    PARTICIPANT_RELEASED = "participant_released"
    SCHEDULED_IN_ERROR = "scheduled_in_error"
    OTHER = "other"


class CancelledBy(enum.StrEnum):
    MENTOR = "mentor"
    PARTICIPANT = "participant"
    PRISON = "prison"


class ReviewReason(enum.StrEnum):
    PARTICIPANT_TRANSFERRED = "participant_transferred"
    PARTICIPANT_RELEASED = "participant_released"
    RELEASE_DATE_CHANGED = "release_date_changed"


class Attendee(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    display_name: str = ""
    attended: bool | None = None


class Visit(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_id: UUID
    prison_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: VisitStatus
    revision: int
    attendees: tuple[Attendee, ...] = ()
    participant_code: str = ""
    room: str = ""
    location: str = ""
    cancel_reason: str = ""
    cancelled_by: str = ""
    cancel_note: str = ""
    lead_time_override_reason: str = ""
    requested_at: datetime | None = None
    needs_review: bool = False
    review_reason: str = ""
    review_note: str = ""
    series_id: UUID | None = None
    created_by: UUID | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def mentor_ids(self) -> tuple[UUID, ...]:
        return tuple(a.user_id for a in self.attendees)


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    from_status: str
    to_status: str
    actor_id: UUID | None
    actor_name: str
    at: datetime
    reason: str = ""


class Busy(msgspec.Struct, frozen=True, kw_only=True):
    """Time someone is taken: another visit (of a mentor or the participant) or an agency appointment."""

    starts_at: datetime
    ends_at: datetime
    kind: str  # visit | appointment
    id: UUID
    who: UUID  # the mentor or participant it belongs to
    buffer_minutes: int = 0  # travel buffer of the prison where it happens


class Violation(msgspec.Struct, frozen=True, kw_only=True):
    """One broken rule: a stable code, a sentence for people, and what it collides with."""

    code: str
    detail: str
    field: str | None = None
    conflict: dict[str, str] | None = None


class Proposal(msgspec.Struct, frozen=True, kw_only=True):
    starts_at: datetime
    ends_at: datetime
    kind: str = KIND_PRISON_VISIT
    mentor_ids: tuple[UUID, ...] = ()
    visit_id: UUID | None = None  # the visit being moved: it never collides with itself


class Slot(msgspec.Struct, frozen=True, kw_only=True):
    starts_at: datetime
    ends_at: datetime


# --- shape -----------------------------------------------------------------------------------------------


def check_kind(kind: str) -> str:
    if not KIND_RE.match(kind):
        raise ValidationFailed(
            "kind: 2–40 lowercase letters or '_', e.g. prison_visit, meeting", field="kind"
        )
    return kind


FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_date(value: date, field: str) -> date:
    """Dates the planner reasons about: far-off years are typos (and would overflow calendar arithmetic)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationFailed(f"{field}: a date between {FIRST_YEAR} and {LAST_YEAR}", field=field)
    return value


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationFailed(f"{name} needs a UTC offset, e.g. 2026-03-12T10:00:00+01:00", field=name)
        check_date(value.date(), name)
    if ends_at <= starts_at:
        raise ValidationFailed("a visit must end after it starts", field="ends_at")
    if ends_at - starts_at > timedelta(hours=12):
        raise ValidationFailed("a visit lasts at most 12 hours", field="ends_at")


def check_transition(current: VisitStatus, wanted: VisitStatus) -> bool:
    return wanted in TRANSITIONS[current]


def is_prison_visit(kind: str) -> bool:
    return kind != KIND_MEETING


# before release a participant may be at a prison already while the programme takes them in
PRISON_STATUSES = frozenset(
    {ParticipantStatus.INQUIRY, ParticipantStatus.INTAKE, ParticipantStatus.IN_CUSTODY}
)


def is_in_prison(participant: Participant) -> bool:
    return participant.status in PRISON_STATUSES and participant.prison_id is not None


# --- calendars -------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=256)
def _holidays(land: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("DE", subdiv=land, years=year, language="de"))


def statutory_holiday(prison: Prison, day: date) -> str | None:
    """The name of the statutory holiday of the prison's Land on ``day``, unless the prison opens that day."""
    name = _holidays(prison.land, day.year).get(day)
    if name is None or day in prison.open_on_holidays:
        return None
    return name


def closure_on(prison: Prison, day: date) -> Closure | None:
    for closure in prison.closures:
        if closure.start_date <= day <= closure.end_date:
            return closure
    return None


def _window_applies(w: VisitingWindow, day: date, kind: str) -> bool:
    return (
        w.weekday == day.weekday()
        and (w.valid_from is None or w.valid_from <= day)
        and (w.valid_to is None or day <= w.valid_to)
        and (w.visit_kind is None or w.visit_kind == kind)
    )


def windows_on(prison: Prison, day: date, kind: str) -> list[tuple[datetime, datetime]]:
    """The prison's visiting windows on a local date as UTC instants (wall-clock times of the prison)."""
    tz = zone(prison.timezone)
    out = []
    for w in prison.windows:
        if _window_applies(w, day, kind):
            start = datetime.combine(day, w.start_time, tzinfo=tz).astimezone(UTC)
            end = datetime.combine(day, w.end_time, tzinfo=tz).astimezone(UTC)
            out.append((start, end))
    return sorted(out)


def local_date(instant: datetime, tz_name: str) -> date:
    return instant.astimezone(zone(tz_name)).date()


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local date begins and ends (23 or 25 hours on DST days)."""
    tz = zone(tz_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def earliest_bookable_date(prison: Prison, now: datetime) -> date:
    """Lead time counted in days in the prison's calendar: a request today allows a visit ``lead`` days on."""
    return local_date(now, prison.timezone) + timedelta(days=prison.lead_time_days)


# --- the checker ------------------------------------------------------------------------------------------


class BusyIndex:
    """Busy intervals sorted by start, for fast overlap queries (the slot finder asks thousands of times)."""

    def __init__(self, items: Iterable[Busy]) -> None:
        self.items = sorted(items, key=lambda b: b.starts_at)
        self.starts = [b.starts_at for b in self.items]
        self.max_len = max((b.ends_at - b.starts_at for b in self.items), default=timedelta(0))
        self.max_buffer = timedelta(minutes=max((b.buffer_minutes for b in self.items), default=0))

    def overlapping(
        self,
        starts_at: datetime,
        ends_at: datetime,
        *,
        buffer_minutes: int = 0,
        ignore: UUID | None = None,
        who: UUID | None = None,
    ) -> Busy | None:
        """The first interval (of ``who``, if given) overlapping [starts_at, ends_at) plus the buffer."""
        own = timedelta(minutes=buffer_minutes)
        reach = max(own, self.max_buffer)
        # anything starting before (starts_at - max_len - reach) ends before starts_at - reach
        i = bisect_left(self.starts, starts_at - self.max_len - reach)
        limit = ends_at + reach
        while i < len(self.items):
            b = self.items[i]
            if b.starts_at >= limit:
                break
            i += 1
            if (ignore is not None and b.id == ignore) or (who is not None and b.who != who):
                continue
            gap = max(own, timedelta(minutes=b.buffer_minutes))
            if b.starts_at < ends_at + gap and starts_at - gap < b.ends_at:
                return b
        return None


def check_visit(
    proposal: Proposal,
    *,
    participant: Participant,
    prison: Prison | None,
    mentor_busy: BusyIndex,
    participant_busy: BusyIndex,
    now: datetime,
    check_lead_time: bool = True,
    first_only: bool = False,
) -> list[Violation]:
    """Every rule the proposal breaks (rules 1–6 of the domain); empty means bookable; the first one answers.

    ``mentor_busy`` holds the other visits of the attending mentors, ``participant_busy`` the participant's
    other visits and appointments. ``check_lead_time=False`` is a coordinator's recorded override of rule 2.
    """
    found = _violations(
        proposal,
        participant=participant,
        prison=prison,
        mentor_busy=mentor_busy,
        participant_busy=participant_busy,
        now=now,
        check_lead_time=check_lead_time,
    )
    if first_only:
        first = next(found, None)
        return [first] if first is not None else []
    return list(found)


def _violations(
    proposal: Proposal,
    *,
    participant: Participant,
    prison: Prison | None,
    mentor_busy: BusyIndex,
    participant_busy: BusyIndex,
    now: datetime,
    check_lead_time: bool,
) -> Iterator[Violation]:
    start, end = proposal.starts_at, proposal.ends_at
    prison_visit = is_prison_visit(proposal.kind)
    in_custody = is_in_prison(participant) and prison is not None
    if not prison_visit and is_in_prison(participant):
        yield Violation(
            code="in_custody",
            detail="while the participant is in custody, meetings are prison visits (kind 'prison_visit')",
            field="kind",
            conflict={"type": "participant", "id": str(participant.id), "status": participant.status.value},
        )
    if prison_visit and not in_custody:
        yield Violation(
            code="after_release",
            detail="the participant is not in custody at a prison: plan a meeting (kind 'meeting') instead",
            field="kind",
            conflict={"type": "participant", "id": str(participant.id), "status": participant.status.value},
        )
    if prison_visit and in_custody and prison is not None:
        # rule 1: window, closure, holiday — on the prison's wall clock
        day = local_date(start, prison.timezone)
        closure = closure_on(prison, day)
        holiday = statutory_holiday(prison, day)
        if closure is not None:
            yield Violation(
                code="prison_closed",
                detail=f"the prison is closed on {day.isoformat()}"
                + (f": {closure.reason}" if closure.reason else ""),
                field="starts_at",
                conflict={
                    "type": "closure",
                    "id": str(closure.id or ""),
                    "start_date": closure.start_date.isoformat(),
                    "end_date": closure.end_date.isoformat(),
                    "reason": closure.reason,
                },
            )
        elif holiday is not None:
            yield Violation(
                code="public_holiday",
                detail=f"{day.isoformat()} is a statutory holiday in {prison.land} ({holiday})",
                field="starts_at",
                conflict={"type": "holiday", "date": day.isoformat(), "name": holiday, "land": prison.land},
            )
        else:
            windows = windows_on(prison, day, proposal.kind)
            if not any(ws <= start and end <= we for ws, we in windows):
                tz = zone(prison.timezone)
                shown = ", ".join(
                    f"{ws.astimezone(tz):%H:%M}–{we.astimezone(tz):%H:%M}" for ws, we in windows
                )
                yield Violation(
                    code="outside_visiting_window",
                    detail=f"not inside a visiting window of {prison.code} on {day.isoformat()} "
                    f"(local windows that day: {shown or 'none'})",
                    field="starts_at",
                    conflict={"type": "prison", "id": str(prison.id), "date": day.isoformat()},
                )
        # rule 2: lead time and maximum length
        earliest = earliest_bookable_date(prison, now)
        if start <= now:
            yield Violation(code="in_past", detail="the visit would start in the past", field="starts_at")
        elif check_lead_time and day < earliest:
            yield Violation(
                code="lead_time",
                detail=f"{prison.code} needs {prison.lead_time_days} days' notice: the earliest date is "
                f"{earliest.isoformat()}",
                field="starts_at",
                conflict={
                    "type": "prison",
                    "id": str(prison.id),
                    "lead_time_days": str(prison.lead_time_days),
                    "earliest_date": earliest.isoformat(),
                },
            )
        if (end - start).total_seconds() / 60 > prison.max_visit_minutes:
            yield Violation(
                code="too_long",
                detail=f"{prison.code} allows visits of at most {prison.max_visit_minutes} minutes",
                field="ends_at",
                conflict={
                    "type": "prison",
                    "id": str(prison.id),
                    "max_visit_minutes": str(prison.max_visit_minutes),
                },
            )
    elif not prison_visit and start <= now:
        yield Violation(code="in_past", detail="the meeting would start in the past", field="starts_at")

    # rule 6 before 3: who attends at all
    if not proposal.mentor_ids:
        yield Violation(
            code="no_mentor", detail="at least one of the two mentors must attend", field="mentor_ids"
        )
    # rule 4 before 3: the same visit booked twice is the participant's conflict first
    hit = participant_busy.overlapping(start, end, ignore=proposal.visit_id)
    if hit is not None:
        yield Violation(
            code="participant_busy",
            detail=f"the participant has another {hit.kind} at that time",
            field="starts_at",
            conflict={
                "type": hit.kind,
                "id": str(hit.id),
                "starts_at": hit.starts_at.isoformat(),
                "ends_at": hit.ends_at.isoformat(),
            },
        )
    # rule 3: the attending mentors' other visits, with travel buffer
    buffer = prison.travel_buffer_minutes if (prison_visit and prison is not None) else 0
    for mentor_id in proposal.mentor_ids:
        hit = mentor_busy.overlapping(
            start, end, buffer_minutes=buffer, ignore=proposal.visit_id, who=mentor_id
        )
        if hit is not None:
            yield Violation(
                code="mentor_busy",
                detail="a mentor has another visit at that time (travel buffer included)",
                field="mentor_ids",
                conflict={
                    "type": hit.kind,
                    "id": str(hit.id),
                    "mentor_id": str(mentor_id),
                    "starts_at": hit.starts_at.isoformat(),
                    "ends_at": hit.ends_at.isoformat(),
                },
            )
    # rule 5: before the planned release while in custody
    release = participant.planning_date
    if (
        prison_visit
        and in_custody
        and prison is not None
        and release
        and local_date(start, prison.timezone) >= release
    ):
        yield Violation(
            code="after_release",
            detail=f"the visit would be on or after the planned release date {release.isoformat()}",
            field="starts_at",
            conflict={
                "type": "participant",
                "id": str(participant.id),
                "planning_date": release.isoformat(),
            },
        )


# --- the slot finder -------------------------------------------------------------------------------------


def find_slots(
    *,
    participant: Participant,
    prison: Prison,
    mentor_ids: Sequence[UUID],
    mentor_busy: BusyIndex,
    participant_busy: BusyIndex,
    start_date: date,
    end_date: date,
    minutes: int,
    now: datetime,
    kind: str = KIND_PRISON_VISIT,
    limit: int = 20,
    step_minutes: int = SLOT_STEP_MINUTES,
) -> list[Slot]:
    """Feasible slots for the participant with all ``mentor_ids`` attending, earliest first.

    Candidates start at each window's opening and every ``step_minutes`` after it; each is judged by the same
    ``check_visit`` as a booking, so every proposed slot is bookable.
    """
    length = timedelta(minutes=minutes)
    step = timedelta(minutes=step_minutes)
    first = max(start_date, earliest_bookable_date(prison, now))
    out: list[Slot] = []
    day = first
    while day <= end_date and len(out) < limit:
        if (
            closure_on(prison, day) is None
            and statutory_holiday(prison, day) is None
            and not (participant.planning_date and day >= participant.planning_date)
        ):
            for ws, we in windows_on(prison, day, kind):
                candidate = ws
                while candidate + length <= we and len(out) < limit:
                    proposal = Proposal(
                        starts_at=candidate,
                        ends_at=candidate + length,
                        kind=kind,
                        mentor_ids=tuple(mentor_ids),
                    )
                    if not check_visit(
                        proposal,
                        participant=participant,
                        prison=prison,
                        mentor_busy=mentor_busy,
                        participant_busy=participant_busy,
                        now=now,
                        first_only=True,
                    ) and (not out or out[-1].starts_at != candidate):
                        out.append(Slot(starts_at=candidate, ends_at=candidate + length))
                    candidate += step
        day += timedelta(days=1)
    return out


# --- cadence ---------------------------------------------------------------------------------------------


class CadenceState(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    cadence_days: int
    last_visit_on: date | None
    next_planned_on: date | None
    next_due_on: date
    is_overdue: bool
    days_overdue: int


def cadence_state(
    *,
    participant_id: UUID,
    cadence_days: int,
    last_visit_on: date | None,
    next_planned_on: date | None,
    since: date,
    today: date,
) -> CadenceState:
    """When the next visit is due: ``cadence_days`` after the last completed one (or after ``since``, when the
    participant was never visited). Overdue when today is past that date."""
    base = last_visit_on or since
    due = base + timedelta(days=cadence_days)
    overdue_days = (today - due).days
    return CadenceState(
        participant_id=participant_id,
        cadence_days=cadence_days,
        last_visit_on=last_visit_on,
        next_planned_on=next_planned_on,
        next_due_on=due,
        is_overdue=overdue_days > 0,
        days_overdue=max(0, overdue_days),
    )


# --- recurring series ------------------------------------------------------------------------------------


def expand_series(
    *, first_day: date, start_time: time, minutes: int, every_weeks: int, until: date, tz_name: str
) -> list[Slot]:
    """Occurrences every ``every_weeks`` weeks from ``first_day`` to ``until``, same wall-clock time."""
    check_date(first_day, "first_date")
    check_date(until, "until")
    if every_weeks < 1 or every_weeks > 12:
        raise ValidationFailed("every_weeks must be between 1 and 12", field="every_weeks")
    if until < first_day:
        raise ValidationFailed("until must not be before the first date", field="until")
    tz = zone(tz_name)
    out: list[Slot] = []
    day = first_day
    while day <= until:
        if len(out) >= MAX_SERIES_OCCURRENCES:
            raise ValidationFailed(
                f"a series has at most {MAX_SERIES_OCCURRENCES} occurrences", field="until"
            )
        start = datetime.combine(day, start_time, tzinfo=tz).astimezone(UTC)
        out.append(Slot(starts_at=start, ends_at=start + timedelta(minutes=minutes)))
        day += timedelta(weeks=every_weeks)
    return out
