"""Wire schemas of visits: VisitRead, VisitCreate, VisitUpdate, lifecycle bodies, slots, cadence, series."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from prison_liaison.api.schemas import Input
from prison_liaison.planning.visits import Slot, Transition, Violation, Visit

Kind = Annotated[str, Meta(min_length=2, max_length=40, pattern=r"^[a-z][a-z_]+$")]
Reason = Annotated[str, Meta(max_length=2000)]
CancelReasonValue = Literal[
    "participant_declined",
    "mentor_unavailable",
    "prison_cancelled",
    "lockdown",
    "participant_transferred",
    "participant_released",
    "scheduled_in_error",
    "other",
]
VisitStatusValue = Literal["planned", "requested", "confirmed", "completed", "cancelled", "no_show"]
MentorIds = Annotated[list[UUID], Meta(max_length=2)]


class AttendeeRead(Struct, kw_only=True):
    id: UUID
    display_name: str
    attended: bool | None = None


class TransitionRead(Struct, kw_only=True):
    from_status: str
    to_status: str
    actor_id: UUID | None = None
    actor_name: str
    at: datetime
    reason: str = ""

    @classmethod
    def from_domain(cls, t: Transition) -> TransitionRead:
        return cls(
            from_status=t.from_status,
            to_status=t.to_status,
            actor_id=t.actor_id,
            actor_name=t.actor_name,
            at=t.at,
            reason=t.reason,
        )


class VisitRead(Struct, kw_only=True):
    id: UUID
    participant_id: UUID
    participant_code: str
    prison_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: VisitStatusValue
    revision: int
    mentor_ids: list[UUID]
    attendees: list[AttendeeRead]
    room: str
    location: str
    cancel_reason: str
    cancelled_by: str
    cancel_note: str
    lead_time_override_reason: str
    requested_at: datetime | None
    needs_review: bool
    review_reason: str
    review_note: str
    series_id: UUID | None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    transitions: list[TransitionRead] | None = None

    @classmethod
    def from_domain(cls, v: Visit, transitions: list[Transition] | None = None) -> VisitRead:
        return cls(
            id=v.id,
            participant_id=v.participant_id,
            participant_code=v.participant_code,
            prison_id=v.prison_id,
            starts_at=v.starts_at,
            ends_at=v.ends_at,
            kind=v.kind,
            status=v.status.value,  # type: ignore[arg-type]
            revision=v.revision,
            mentor_ids=list(v.mentor_ids),
            attendees=[
                AttendeeRead(id=a.user_id, display_name=a.display_name, attended=a.attended)
                for a in v.attendees
            ],
            room=v.room,
            location=v.location,
            cancel_reason=v.cancel_reason,
            cancelled_by=v.cancelled_by,
            cancel_note=v.cancel_note,
            lead_time_override_reason=v.lead_time_override_reason,
            requested_at=v.requested_at,
            needs_review=v.needs_review,
            review_reason=v.review_reason,
            review_note=v.review_note,
            series_id=v.series_id,
            version=v.version,
            created_at=v.created_at,
            updated_at=v.updated_at,
            transitions=[TransitionRead.from_domain(t) for t in transitions]
            if transitions is not None
            else None,
        )


class VisitCreate(Input, kw_only=True):
    participant_id: UUID
    starts_at: datetime
    ends_at: datetime
    mentor_ids: MentorIds
    kind: Kind = "prison_visit"
    room: Annotated[str, Meta(max_length=100)] = ""
    location: Annotated[str, Meta(max_length=200)] = ""
    lead_time_override_reason: Reason | None = None


class VisitUpdate(Input, kw_only=True):
    starts_at: datetime | UnsetType = UNSET
    ends_at: datetime | UnsetType = UNSET
    mentor_ids: MentorIds | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    room: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    location: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    lead_time_override_reason: Reason | UnsetType = UNSET


class VisitRequest(Input, kw_only=True):
    lead_time_override_reason: Reason | None = None


class VisitConfirm(Input, kw_only=True):
    room: Annotated[str, Meta(max_length=100)] | None = None


class AttendanceEntry(Input, kw_only=True):
    mentor_id: UUID
    attended: bool


class VisitComplete(Input, kw_only=True):
    attendance: Annotated[list[AttendanceEntry], Meta(max_length=2)] = msgspec.field(default_factory=list)
    note: Reason = ""


class VisitNoShow(Input, kw_only=True):
    note: Reason = ""


class VisitCancel(Input, kw_only=True):
    reason: CancelReasonValue
    cancelled_by: Literal["mentor", "participant", "prison"] = "mentor"
    note: Reason = ""


class VisitKeep(Input, kw_only=True):
    reason: Annotated[str, Meta(min_length=1, max_length=2000)]


class SlotRead(Struct, kw_only=True):
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def from_domain(cls, s: Slot) -> SlotRead:
        return cls(starts_at=s.starts_at, ends_at=s.ends_at)


class CadenceRead(Struct, kw_only=True):
    participant_id: UUID
    code: str
    initials: str
    cadence_days: int
    last_visit_on: date | None
    next_planned_on: date | None
    next_due_on: date
    is_overdue: bool
    days_overdue: int


class SeriesCreate(Input, kw_only=True):
    participant_id: UUID
    first_date: date
    start_time: time
    minutes: Annotated[int, Meta(ge=15, le=480)]
    every_weeks: Annotated[int, Meta(ge=1, le=12)] = 1
    until: date
    mentor_ids: MentorIds
    kind: Kind = "prison_visit"
    room: Annotated[str, Meta(max_length=100)] = ""


class RefusedOccurrence(Struct, kw_only=True):
    starts_at: datetime
    ends_at: datetime
    code: str
    detail: str
    conflict: dict[str, str] | None = None

    @classmethod
    def from_domain(cls, slot: Slot, v: Violation) -> RefusedOccurrence:
        return cls(
            starts_at=slot.starts_at, ends_at=slot.ends_at, code=v.code, detail=v.detail, conflict=v.conflict
        )


class SeriesRead(Struct, kw_only=True):
    series_id: UUID
    created: list[VisitRead]
    refused: list[RefusedOccurrence]


class PrisonDayEntry(Struct, kw_only=True):
    """One visit on a prison's day list; prison staff get code, mentors' names, times and room only."""

    participant_code: str
    starts_at: datetime
    ends_at: datetime
    mentor_names: list[str]
    room: str
    id: UUID | None = None
    status: str | None = None
    kind: str | None = None


class PrisonDayRead(Struct, kw_only=True):
    prison_id: UUID
    prison_code: str
    date: date
    timezone: str
    items: list[PrisonDayEntry]
