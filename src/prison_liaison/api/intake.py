"""Intake: referrals, stage changes and the coordinators' intake queue.

The wire schemas of this area live here (not in api/schemas.py) so that parallel work does not collide.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import UNSET, Meta, Struct, UnsetType

from prison_liaison.api.deps import etag, parse_if_match
from prison_liaison.api.participants import read as read_participant
from prison_liaison.api.schemas import Code, Input, ListOf, LongText, ParticipantRead, StatusValue, changes_of
from prison_liaison.planning.intake import Referral, StageChange
from prison_liaison.planning.models import ParticipantStatus
from prison_liaison.services import intake as intake_service
from prison_liaison.services.context import Caller
from prison_liaison.services.intake import QueueEntry

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]
SourceValue = Literal["self", "police", "justice", "prison", "other_programme", "other"]
Reason = Annotated[str, Meta(max_length=2000)]
Contact = Annotated[str, Meta(max_length=1000)]
ConsentForm = Annotated[str, Meta(max_length=40)]
Name = Annotated[str, Meta(max_length=120)]


class StageChangeCreate(Input):
    to_stage: StatusValue
    on_date: date | None = None  # default: today
    reason: Reason = ""


class StageChangeRead(Struct, kw_only=True):
    id: UUID
    from_stage: StatusValue | None = None
    to_stage: StatusValue
    on_date: date
    reason: str
    actor_id: UUID | None = None
    actor_name: str
    recorded_at: datetime | None = None

    @classmethod
    def from_domain(cls, c: StageChange) -> StageChangeRead:
        return cls(
            id=c.id,
            from_stage=c.from_stage.value if c.from_stage else None,  # type: ignore[arg-type]
            to_stage=c.to_stage.value,  # type: ignore[arg-type]
            on_date=c.on_date,
            reason=c.reason,
            actor_id=c.actor_id,
            actor_name=c.actor_name,
            recorded_at=c.recorded_at,
        )


class ReferralRead(Struct, kw_only=True):
    id: UUID
    participant_id: UUID
    source: SourceValue
    source_text: str
    organisation: str
    contact: str
    received_on: date
    consent_date: date | None = None
    consent_form: str
    version: int

    @classmethod
    def from_domain(cls, r: Referral) -> ReferralRead:
        return cls(
            id=r.id,
            participant_id=r.participant_id,
            source=r.source.value,  # type: ignore[arg-type]
            source_text=r.source_text,
            organisation=r.organisation,
            contact=r.contact,
            received_on=r.received_on,
            consent_date=r.consent_date,
            consent_form=r.consent_form,
            version=r.version,
        )


class ReferralCreate(Input):
    source: SourceValue
    source_text: Annotated[str, Meta(max_length=200)] = ""
    organisation: Contact = ""
    contact: Contact = ""
    received_on: date | None = None  # default: today
    consent_date: date | None = None
    consent_form: ConsentForm = ""
    code: Code | None = None  # default: the next free L-<year>-NNN
    first_name: Name = ""
    last_name: Name = ""
    prison_id: UUID | None = None
    notes: LongText = ""


class ReferralUpdate(Input):
    source: SourceValue | UnsetType = UNSET
    source_text: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    organisation: Contact | UnsetType = UNSET
    contact: Contact | UnsetType = UNSET
    received_on: date | UnsetType = UNSET
    consent_date: date | UnsetType | None = UNSET
    consent_form: ConsentForm | UnsetType = UNSET


class ReferralCreated(Struct, kw_only=True):
    participant: ParticipantRead
    referral: ReferralRead


class QueueEntryRead(Struct, kw_only=True):
    participant_id: UUID
    code: str
    initials: str
    stage: StatusValue
    stage_since: date | None = None
    first_contact_on: date
    age_days: int
    source: SourceValue | None = None
    consent_date: date | None = None
    mentor_count: int
    prison_id: UUID | None = None
    next_step: str | None = None
    next_step_label: str
    version: int

    @classmethod
    def from_domain(cls, e: QueueEntry) -> QueueEntryRead:
        return cls(
            participant_id=e.participant_id,
            code=e.code,
            initials=e.initials,
            stage=e.stage.value,  # type: ignore[arg-type]
            stage_since=e.stage_since,
            first_contact_on=e.first_contact_on,
            age_days=e.age_days,
            source=e.source.value if e.source else None,  # type: ignore[arg-type]
            consent_date=e.consent_date,
            mentor_count=e.mentor_count,
            prison_id=e.prison_id,
            next_step=e.next_step.value if e.next_step else None,
            next_step_label=e.next_step_label,
            version=e.version,
        )


def _optional_version(if_match: str | None) -> int | None:
    return parse_if_match(if_match) if if_match else None


class StageController(Controller):
    path = "/api/v1/participants/{participant_id:uuid}"
    tags = ["intake"]

    @post("/stage", operation_id="changeStage", status_code=200)
    async def change_stage(
        self,
        participant_id: FromPath[UUID],
        data: JSONBody[StageChangeCreate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[ParticipantRead]:
        """Move a case to another stage with date and reason (mentors, coordinators; If-Match optional)."""
        participant = await intake_service.change_stage(
            caller,
            participant_id,
            to_stage=ParticipantStatus(data.to_stage),
            on_date=data.on_date,
            reason=data.reason,
            expected_version=_optional_version(if_match),
        )
        return Response(read_participant(participant, caller), headers={"ETag": etag(participant.version)})

    @get("/stages", operation_id="listStageChanges")
    async def stage_history(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> ListOf[StageChangeRead]:
        """The stage history of a case, oldest first."""
        changes = await intake_service.stage_history(caller, participant_id)
        return ListOf(items=[StageChangeRead.from_domain(c) for c in changes])

    @get("/referral", operation_id="getReferral")
    async def get_referral(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> Response[ReferralRead]:
        """How the person reached the programme (the read is audited; never shown to prison staff)."""
        referral = await intake_service.get_referral(caller, participant_id)
        return Response(ReferralRead.from_domain(referral), headers={"ETag": etag(referral.version)})

    @patch("/referral", operation_id="updateReferral")
    async def update_referral(
        self,
        participant_id: FromPath[UUID],
        data: JSONBody[ReferralUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[ReferralRead]:
        """Change a referral, e.g. record the consent (If-Match optional; stale → 412)."""
        referral = await intake_service.update_referral(
            caller, participant_id, changes_of(data), expected_version=_optional_version(if_match)
        )
        return Response(ReferralRead.from_domain(referral), headers={"ETag": etag(referral.version)})


class ReferralController(Controller):
    path = "/api/v1/referrals"
    tags = ["intake"]

    @post("/", operation_id="createReferral", status_code=201)
    async def create_referral(
        self, data: JSONBody[ReferralCreate], caller: NamedDependency[Caller]
    ) -> ReferralCreated:
        """Record a referral: creates the participant at stage inquiry with its referral (coordinators)."""
        participant, referral = await intake_service.create_referral(caller, changes_of(data))
        return ReferralCreated(
            participant=read_participant(participant, caller), referral=ReferralRead.from_domain(referral)
        )


class IntakeQueueController(Controller):
    path = "/api/v1/intake-queue"
    tags = ["intake"]

    @get("/", operation_id="getIntakeQueue")
    async def intake_queue(self, caller: NamedDependency[Caller]) -> ListOf[QueueEntryRead]:
        """Open inquiries and intakes, oldest first, with the next step (coordinators)."""
        entries = await intake_service.intake_queue(caller)
        return ListOf(items=[QueueEntryRead.from_domain(e) for e in entries])
