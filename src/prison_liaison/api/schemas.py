"""Wire schemas: X (read), XCreate, XUpdate. Inputs forbid unknown fields; PATCH uses UNSET."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from prison_liaison.planning.models import (
    Closure,
    MentorAssignment,
    Participant,
    Prison,
    Role,
    User,
    VisitingWindow,
)
from prison_liaison.planning.shares import Share

T = TypeVar("T")

ShortText = Annotated[str, Meta(max_length=200)]
LongText = Annotated[str, Meta(max_length=10_000)]
Code = Annotated[str, Meta(min_length=2, max_length=40)]
StatusValue = Literal["inquiry", "intake", "in_custody", "released", "completed", "withdrawn", "declined"]
Land = Annotated[str, Meta(min_length=2, max_length=2)]


class Input(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body."""


class ListOf(Struct, Generic[T], kw_only=True):
    items: list[T]
    next_cursor: str | None = None


# --- auth -----------------------------------------------------------------------------------------------


class TokenRequest(Input):
    username: Annotated[str, Meta(min_length=1, max_length=80)]
    password: Annotated[str, Meta(min_length=1, max_length=1024)]
    name: Annotated[str, Meta(max_length=100)] = ""


class TokenRead(Struct, kw_only=True):
    token: str
    expires_at: datetime


class TokenInfo(Struct, kw_only=True):
    id: UUID
    kind: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class UserRead(Struct, kw_only=True):
    id: UUID
    username: str
    display_name: str
    role: Role
    prison_id: UUID | None = None
    active: bool
    email: str = ""
    phone: str = ""
    last_login_at: datetime | None = None

    @classmethod
    def from_domain(cls, u: User) -> UserRead:
        return cls(
            id=u.id, username=u.username, display_name=u.display_name, role=u.role, prison_id=u.prison_id,
            active=u.active, email=u.email, phone=u.phone, last_login_at=u.last_login_at,
        )


class UserCreate(Input):
    username: Annotated[str, Meta(min_length=2, max_length=80)]
    role: Role
    display_name: ShortText = ""
    prison_id: UUID | None = None
    password: Annotated[str, Meta(max_length=1024)] | None = None
    email: ShortText = ""
    phone: Annotated[str, Meta(max_length=60)] = ""


class UserCreated(Struct, kw_only=True):
    user: UserRead
    initial_password: str


class UserUpdate(Input):
    active: bool | UnsetType = UNSET


class PasswordReset(Input):
    password: Annotated[str, Meta(max_length=1024)] | None = None


class PasswordResetRead(Struct, kw_only=True):
    password: str


# --- prisons --------------------------------------------------------------------------------------------


class WindowSchema(Struct, kw_only=True, forbid_unknown_fields=True):
    weekday: Annotated[int, Meta(ge=0, le=6, description="0 = Monday … 6 = Sunday")]
    start_time: time
    end_time: time
    valid_from: date | None = None
    valid_to: date | None = None
    visit_kind: Annotated[str, Meta(max_length=40)] | None = None
    id: UUID | None = None

    def to_domain(self) -> VisitingWindow:
        return VisitingWindow(
            weekday=self.weekday, start_time=self.start_time, end_time=self.end_time, valid_from=self.valid_from,
            valid_to=self.valid_to, visit_kind=self.visit_kind,
        )

    @classmethod
    def from_domain(cls, w: VisitingWindow) -> WindowSchema:
        return cls(
            id=w.id, weekday=w.weekday, start_time=w.start_time, end_time=w.end_time, valid_from=w.valid_from,
            valid_to=w.valid_to, visit_kind=w.visit_kind,
        )


class ClosureSchema(Struct, kw_only=True, forbid_unknown_fields=True):
    start_date: date
    end_date: date
    reason: Annotated[str, Meta(max_length=500)] = ""
    id: UUID | None = None

    def to_domain(self) -> Closure:
        return Closure(start_date=self.start_date, end_date=self.end_date, reason=self.reason)

    @classmethod
    def from_domain(cls, c: Closure) -> ClosureSchema:
        return cls(id=c.id, start_date=c.start_date, end_date=c.end_date, reason=c.reason)


class PrisonRead(Struct, kw_only=True):
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
    open_on_holidays: list[date]
    windows: list[WindowSchema]
    closures: list[ClosureSchema]
    version: int

    @classmethod
    def from_domain(cls, p: Prison) -> PrisonRead:
        return cls(
            id=p.id, code=p.code, name=p.name, address=p.address, timezone=p.timezone, land=p.land,
            social_service_contact=p.social_service_contact, lead_time_days=p.lead_time_days,
            max_visit_minutes=p.max_visit_minutes, travel_buffer_minutes=p.travel_buffer_minutes,
            visitor_requirements=p.visitor_requirements, security_check_required=p.security_check_required,
            open_on_holidays=list(p.open_on_holidays),
            windows=[WindowSchema.from_domain(w) for w in p.windows],
            closures=[ClosureSchema.from_domain(c) for c in p.closures],
            version=p.version,
        )


class PrisonCreate(Input):
    code: Annotated[str, Meta(min_length=2, max_length=20)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    address: Annotated[str, Meta(max_length=500)] = ""
    timezone: Annotated[str, Meta(max_length=64)] = "Europe/Berlin"
    land: Land = "NW"
    social_service_contact: Annotated[str, Meta(max_length=500)] = ""
    lead_time_days: Annotated[int, Meta(ge=0, le=90)] = 0
    max_visit_minutes: Annotated[int, Meta(ge=15, le=480)] = 90
    travel_buffer_minutes: Annotated[int, Meta(ge=0, le=240)] = 0
    visitor_requirements: Annotated[str, Meta(max_length=2000)] = ""
    security_check_required: bool = False
    open_on_holidays: list[date] = msgspec.field(default_factory=list)
    windows: Annotated[list[WindowSchema], Meta(max_length=100)] = msgspec.field(default_factory=list)
    closures: Annotated[list[ClosureSchema], Meta(max_length=500)] = msgspec.field(default_factory=list)


class PrisonUpdate(Input):
    code: Annotated[str, Meta(min_length=2, max_length=20)] | UnsetType = UNSET
    name: Annotated[str, Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    address: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET
    timezone: Annotated[str, Meta(max_length=64)] | UnsetType = UNSET
    land: Land | UnsetType = UNSET
    social_service_contact: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET
    lead_time_days: Annotated[int, Meta(ge=0, le=90)] | UnsetType = UNSET
    max_visit_minutes: Annotated[int, Meta(ge=15, le=480)] | UnsetType = UNSET
    travel_buffer_minutes: Annotated[int, Meta(ge=0, le=240)] | UnsetType = UNSET
    visitor_requirements: Annotated[str, Meta(max_length=2000)] | UnsetType = UNSET
    security_check_required: bool | UnsetType = UNSET
    open_on_holidays: list[date] | UnsetType = UNSET
    windows: Annotated[list[WindowSchema], Meta(max_length=100)] | UnsetType = UNSET
    closures: Annotated[list[ClosureSchema], Meta(max_length=500)] | UnsetType = UNSET


# --- participants ---------------------------------------------------------------------------------------


class MentorRead(Struct, kw_only=True):
    id: UUID
    role: str
    display_name: str
    since: datetime

    @classmethod
    def from_domain(cls, m: MentorAssignment) -> MentorRead:
        return cls(id=m.mentor_id, role=m.role.value, display_name=m.display_name, since=m.valid_from)


class MentorHistoryRead(Struct, kw_only=True):
    id: UUID
    role: str
    display_name: str
    valid_from: datetime
    valid_to: datetime | None = None


class ParticipantRead(Struct, kw_only=True):
    id: UUID
    code: str
    initials: str
    first_name: str | None = None
    last_name: str | None = None
    status: StatusValue
    prison_id: UUID | None = None
    mentors: list[MentorRead]
    planning_date: date | None = None
    planning_basis: str
    cadence_days: int
    admitted_on: date | None = None
    notes: str | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_domain(cls, p: Participant, *, full: bool = True) -> ParticipantRead:
        return cls(
            id=p.id, code=p.code, initials=p.initials,
            first_name=p.first_name if full else None, last_name=p.last_name if full else None,
            status=p.status.value,  # type: ignore[arg-type]
            prison_id=p.prison_id, mentors=[MentorRead.from_domain(m) for m in p.mentors],
            planning_date=p.planning_date, planning_basis=p.planning_basis, cadence_days=p.cadence_days,
            admitted_on=p.admitted_on, notes=p.notes if full else None, version=p.version,
            created_at=p.created_at, updated_at=p.updated_at,
        )


class ParticipantCreate(Input):
    code: Code
    first_name: Annotated[str, Meta(max_length=120)] = ""
    last_name: Annotated[str, Meta(max_length=120)] = ""
    prison_id: UUID | None = None
    status: StatusValue = "in_custody"
    cadence_days: Annotated[int, Meta(ge=1, le=180)] = 14
    admitted_on: date | None = None
    notes: LongText = ""
    lead_id: UUID | None = None
    co_id: UUID | None = None


class ParticipantUpdate(Input):
    code: Code | UnsetType = UNSET
    first_name: Annotated[str, Meta(max_length=120)] | UnsetType = UNSET
    last_name: Annotated[str, Meta(max_length=120)] | UnsetType = UNSET
    prison_id: UUID | UnsetType | None = UNSET
    status: StatusValue | UnsetType = UNSET
    cadence_days: Annotated[int, Meta(ge=1, le=180)] | UnsetType = UNSET
    admitted_on: date | UnsetType | None = UNSET
    notes: LongText | UnsetType = UNSET
    planning_basis: (
        Literal["sentence_end", "earliest_release_day", "half_time", "two_thirds", "life_minimum", "youth_earliest"]
        | UnsetType
    ) = UNSET


class MentorsSet(Input):
    lead_id: UUID
    co_id: UUID | None = None


# --- audit ----------------------------------------------------------------------------------------------


class AuditEventRead(Struct, kw_only=True):
    id: UUID
    at: datetime
    action: str
    actor_id: UUID | None = None
    actor_username: str
    actor_role: str
    subject_type: str
    subject_id: str
    participant_id: UUID | None = None
    client: str
    request_id: str
    detail: dict[str, Any]


# --- shares ---------------------------------------------------------------------------------------------


class ShareCreate(Input):
    prison_id: UUID
    scope: Annotated[
        list[Annotated[str, Meta(max_length=40)]],
        Meta(max_length=20, description="plan domains, e.g. housing, identity, income, health, probation"),
    ]
    consent_date: date
    consent_scope: Annotated[str, Meta(min_length=1, max_length=2000)]
    expires_on: date | None = None


class ShareRead(Struct, kw_only=True):
    id: UUID
    participant_id: UUID
    prison_id: UUID
    scope: list[str]
    consent_date: date
    consent_scope: str
    consent_recorded_by: UUID | None = None
    expires_on: date | None = None
    revoked_at: datetime | None = None
    revoked_by: UUID | None = None
    created_at: datetime | None = None
    active: bool

    @classmethod
    def from_domain(cls, s: Share, *, today: date) -> ShareRead:
        return cls(
            id=s.id, participant_id=s.participant_id, prison_id=s.prison_id, scope=list(s.scope),
            consent_date=s.consent_date, consent_scope=s.consent_scope,
            consent_recorded_by=s.consent_recorded_by, expires_on=s.expires_on, revoked_at=s.revoked_at,
            revoked_by=s.revoked_by, created_at=s.created_at, active=s.is_active(today),
        )


class HealthRead(Struct, kw_only=True):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


def changes_of(data: Struct) -> dict[str, Any]:
    """The fields a PATCH body actually sets."""
    return {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not UNSET}


class FieldError(Struct, kw_only=True):
    field: str | None = None
    message: str = ""
    source: str | None = None


class Problem(Struct, kw_only=True):
    """RFC 9457 problem details, as every error answers."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    errors: list[FieldError] | None = None
