"""Domain records shared across use cases: frozen, keyword-only, free of wire concerns."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from uuid import UUID

import msgspec


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    PRISON_STAFF = "prison_staff"


class ParticipantStatus(enum.StrEnum):
    INQUIRY = "inquiry"
    INTAKE = "intake"
    IN_CUSTODY = "in_custody"
    RELEASED = "released"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


CLOSED_STATUSES = frozenset({ParticipantStatus.COMPLETED, ParticipantStatus.WITHDRAWN, ParticipantStatus.DECLINED})


class MentorRole(enum.StrEnum):
    LEAD = "lead"
    CO = "co"


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    username: str
    display_name: str
    role: Role
    prison_id: UUID | None
    active: bool
    email: str = ""
    phone: str = ""
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    version: int = 1


class VisitingWindow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID | None = None
    weekday: int
    start_time: time
    end_time: time
    valid_from: date | None = None
    valid_to: date | None = None
    visit_kind: str | None = None


class Closure(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID | None = None
    start_date: date
    end_date: date
    reason: str = ""


class Prison(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    name: str
    address: str
    timezone: str
    land: str
    social_service_contact: str
    lead_time_days: int
    max_visit_minutes: int
    travel_buffer_minutes: int
    visitor_requirements: str
    security_check_required: bool
    open_on_holidays: tuple[date, ...] = ()
    windows: tuple[VisitingWindow, ...] = ()
    closures: tuple[Closure, ...] = ()
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class MentorAssignment(msgspec.Struct, frozen=True, kw_only=True):
    mentor_id: UUID
    role: MentorRole
    valid_from: datetime
    valid_to: datetime | None = None
    display_name: str = ""
    email: str = ""
    phone: str = ""


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    code: str
    first_name: str
    last_name: str
    prison_id: UUID | None
    status: ParticipantStatus
    cadence_days: int
    planning_basis: str
    admitted_on: date | None
    mentors: tuple[MentorAssignment, ...] = ()
    planning_date: date | None = None
    notes: str = ""
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    archived_at: datetime | None = None

    @property
    def initials(self) -> str:
        return "".join(part[:1].upper() + "." for part in (self.first_name, self.last_name) if part)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a cursor-paginated list."""

    items: tuple[object, ...]
    next_cursor: str | None = None


class ParticipantScope(msgspec.Struct, frozen=True, kw_only=True):
    """Which participants a caller may see, as data the repositories turn into a query.

    Exactly one of: everything (coordinators), the cases a mentor is currently assigned to, or the cases with an
    active share to a prison (prison staff; active = not revoked and not expired on ``on``).
    """

    everything: bool = False
    mentor_id: UUID | None = None
    shared_with_prison_id: UUID | None = None
    on: date | None = None
