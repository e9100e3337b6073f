"""Calendar feeds, pure: what a subscription may contain, the date window, and how records become events.

Privacy is decided here, once: an event names the participant by programme code and initials, the place by the
prison's name, and carries nothing else (no names, notes, offence or ideology data, cancellation reasons).

Content decision: a subscription holds ``all`` (default), ``visits`` (visits and agency appointments: timed
events that block time) or ``deadlines`` (release days and plan deadlines: all-day, transparent). Users who
want their phone calendar to show only appointments subscribe to ``visits``; the deadlines can live in a
second, separately coloured calendar.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from dateutil.relativedelta import relativedelta

from prison_liaison.planning.models import ParticipantScope

BERLIN = ZoneInfo("Europe/Berlin")
DAYS_BACK = 90
MONTHS_AHEAD = 18
UID_DOMAIN = "prison-liaison"
# Plan domains whose item titles never leave the service (see release-preparation.md, data-protection.md).
SENSITIVE_DOMAINS = frozenset({"deradicalisation"})
OPEN_PLAN_STATUSES = ("open", "in_progress", "blocked")
# a prison's visitor list: the visits it confirmed (and, marked, those cancelled after it had confirmed them)
PRISON_VISIBLE_STATUSES = ("confirmed", "completed")
# What a visit's kind is called in a calendar; anything else is a "Termin".
VISIT_KIND_LABELS = {"prison_visit": "Besuch", "meeting": "Treffen"}
TENTATIVE_LABELS = {"planned": "geplant", "requested": "angefragt"}


class FeedScope(enum.StrEnum):
    MENTOR = "mentor"
    PARTICIPANT = "participant"
    PRISON = "prison"


class FeedContent(enum.StrEnum):
    ALL = "all"
    VISITS = "visits"
    DEADLINES = "deadlines"


class EventStatus(enum.StrEnum):
    TENTATIVE = "TENTATIVE"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class CalendarSubscription(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    scope: FeedScope
    content: FeedContent
    participant_id: UUID | None
    prison_id: UUID | None
    name: str
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    version: int = 1


class FeedSelection(msgspec.Struct, frozen=True, kw_only=True):
    """Which rows a feed shows at this moment, as data the repository turns into queries."""

    visits: bool
    appointments: bool
    release_days: bool
    deadlines: bool
    participant_scope: ParticipantScope
    attendee_id: UUID | None = None  # mentor feeds: only visits this person attends
    participant_id: UUID | None = None
    prison_id: UUID | None = None  # prison feeds: the prison's confirmed visits (shares do not matter)
    date_from: date
    date_to: date  # exclusive
    today: date

    @property
    def starts_from(self) -> datetime:
        return local_midnight_utc(self.date_from)

    @property
    def starts_before(self) -> datetime:
        return local_midnight_utc(self.date_to)

    @property
    def today_starts(self) -> datetime:
        """Cancelled events stay visible until the end of their day, then drop out."""
        return local_midnight_utc(self.today)


def local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), BERLIN).astimezone(UTC)


def window(today: date) -> tuple[date, date]:
    """90 days back, 18 months ahead (end exclusive)."""
    return today - timedelta(days=DAYS_BACK), today + relativedelta(months=MONTHS_AHEAD)


def kinds_for(scope: FeedScope, content: FeedContent) -> dict[str, bool]:
    """Which kinds of event a scope shows for a content choice."""
    timed = content in (FeedContent.ALL, FeedContent.VISITS)
    all_day = content in (FeedContent.ALL, FeedContent.DEADLINES)
    if scope == FeedScope.PRISON:
        return {"visits": timed, "appointments": False, "release_days": False, "deadlines": False}
    return {
        "visits": timed,
        "appointments": timed,
        "release_days": all_day,
        # plan deadlines are the mentors' working list; a single-participant feed shows the release day only
        "deadlines": all_day and scope == FeedScope.MENTOR,
    }


# --- records the repository returns, and the events made of them -------------------------------------------


class FeedVisit(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_code: str
    initials: str
    prison_name: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: str
    sequence: int
    updated_at: datetime


class FeedAppointment(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_code: str
    initials: str
    agency: str
    starts_at: datetime
    ends_at: datetime
    status: str
    sequence: int
    updated_at: datetime


class FeedReleaseDay(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    participant_code: str
    initials: str
    day: date
    sequence: int
    updated_at: datetime


class FeedDeadline(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_code: str
    initials: str
    title: str
    domain: str
    day: date
    sequence: int
    updated_at: datetime


class FeedRecords(msgspec.Struct, frozen=True, kw_only=True):
    visits: tuple[FeedVisit, ...] = ()
    appointments: tuple[FeedAppointment, ...] = ()
    release_days: tuple[FeedReleaseDay, ...] = ()
    deadlines: tuple[FeedDeadline, ...] = ()


class FeedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One calendar event: either timed (``starts_at``/``ends_at``, UTC) or all-day (``day``)."""

    uid: str
    summary: str
    status: EventStatus
    sequence: int
    updated_at: datetime
    location: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    day: date | None = None

    @property
    def is_all_day(self) -> bool:
        return self.day is not None

    @property
    def sort_key(self) -> tuple[datetime, str]:
        start = self.starts_at if self.starts_at is not None else local_midnight_utc(self.day or date.min)
        return start, self.uid


def who(code: str, initials: str) -> str:
    return f"{code} ({initials})" if initials else code


def initials_of(first_name: str, last_name: str) -> str:
    return "".join(part[:1].upper() + "." for part in (first_name, last_name) if part)


def _cancelled(summary: str) -> str:
    return f"ABGESAGT: {summary}"


def visit_event(v: FeedVisit) -> FeedEvent:
    summary = f"{VISIT_KIND_LABELS.get(v.kind, 'Termin')} {who(v.participant_code, v.initials)}"
    if v.status == "cancelled":
        status, summary = EventStatus.CANCELLED, _cancelled(summary)
    elif v.status in TENTATIVE_LABELS:
        status, summary = EventStatus.TENTATIVE, f"{summary} – {TENTATIVE_LABELS[v.status]}"
    else:
        status = EventStatus.CONFIRMED
    return FeedEvent(
        uid=f"visit-{v.id}@{UID_DOMAIN}",
        summary=summary,
        status=status,
        sequence=v.sequence,
        updated_at=v.updated_at,
        location=v.prison_name,
        starts_at=v.starts_at,
        ends_at=v.ends_at,
    )


def appointment_event(a: FeedAppointment) -> FeedEvent:
    # the agency's address is left out on purpose: after a protective relocation it would reveal the new town
    summary = f"Termin {a.agency[:80]} – {who(a.participant_code, a.initials)}"
    status = EventStatus.CONFIRMED
    if a.status == "cancelled":
        status, summary = EventStatus.CANCELLED, _cancelled(summary)
    return FeedEvent(
        uid=f"appointment-{a.id}@{UID_DOMAIN}",
        summary=summary,
        status=status,
        sequence=a.sequence,
        updated_at=a.updated_at,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
    )


def release_day_event(r: FeedReleaseDay) -> FeedEvent:
    return FeedEvent(
        uid=f"release-{r.participant_id}@{UID_DOMAIN}",
        summary=f"Entlassung {who(r.participant_code, r.initials)}",
        status=EventStatus.CONFIRMED,
        sequence=r.sequence,
        updated_at=r.updated_at,
        day=r.day,
    )


def deadline_event(d: FeedDeadline) -> FeedEvent:
    title = "Begleitung" if d.domain in SENSITIVE_DOMAINS else d.title[:120]
    return FeedEvent(
        uid=f"deadline-{d.id}@{UID_DOMAIN}",
        summary=f"Frist: {title} – {who(d.participant_code, d.initials)}",
        status=EventStatus.CONFIRMED,
        sequence=d.sequence,
        updated_at=d.updated_at,
        day=d.day,
    )


def events_of(records: FeedRecords) -> list[FeedEvent]:
    """All events of a feed, in a stable order (so unchanged data gives identical bytes)."""
    events = [
        *(visit_event(v) for v in records.visits),
        *(appointment_event(a) for a in records.appointments),
        *(release_day_event(r) for r in records.release_days),
        *(deadline_event(d) for d in records.deadlines),
    ]
    return sorted(events, key=lambda e: e.sort_key)


def calendar_name(scope: FeedScope, content: FeedContent, *, custom: str, subject: str) -> str:
    if custom:
        return custom
    base = {
        FeedScope.MENTOR: "Ausstiegsbegleitung",
        FeedScope.PARTICIPANT: f"Ausstiegsbegleitung {subject}",
        FeedScope.PRISON: f"Besuche {subject}",
    }[scope]
    suffix = {FeedContent.ALL: "", FeedContent.VISITS: " – Termine", FeedContent.DEADLINES: " – Fristen"}[
        content
    ]
    return base + ("" if scope == FeedScope.PRISON else suffix)
