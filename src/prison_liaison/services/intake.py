"""Intake: referrals, stage changes with their history, and the coordinators' intake queue."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import intake as intake_repo
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.planning.errors import Conflict, NotFound, ValidationFailed
from prison_liaison.planning.intake import (
    NEXT_STEP_LABELS_DE,
    OPEN_INTAKE_STAGES,
    NextStep,
    Referral,
    ReferralSource,
    StageChange,
    check_referral,
    check_transition,
    next_programme_code,
    next_step,
    ready_for_custody,
)
from prison_liaison.planning.models import CLOSED_STATUSES, Participant, ParticipantStatus, Role
from prison_liaison.planning.participants import check_code
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import decrypt_text, encrypt_text

AUTO_CUSTODY_REASON = "Mentor:innen zugewiesen, Einwilligung liegt vor, JVA erfasst"


# --- stages ----------------------------------------------------------------------------------------------


async def apply_stage_change(
    caller: Caller,
    participant: Participant,
    to_stage: ParticipantStatus,
    *,
    on_date: date,
    reason: str,
    expected_version: int | None,
) -> None:
    """Check and record one stage change in the caller's transaction (the caller writes the audit entry)."""
    check_transition(
        participant.status,
        to_stage,
        on_date=on_date,
        reason=reason,
        today=clock.today(),
        previous_on=await intake_repo.last_stage_date(participant.id),
        has_prison=participant.prison_id is not None,
    )
    now = clock.now()
    await participants_repo.update_participant(
        participant.id,
        {
            "status": to_stage.value,
            "status_since": on_date,
            "closed_at": now if to_stage in CLOSED_STATUSES else None,
        },
        expected_version=expected_version,
        now=now,
    )
    await intake_repo.insert_stage_change(
        participant.id,
        from_stage=participant.status.value,
        to_stage=to_stage.value,
        on_date=on_date,
        reason=reason.strip(),
        actor_id=caller.user_id,
        now=now,
    )
    if to_stage == ParticipantStatus.RELEASED and participant.status != ParticipantStatus.RELEASED:
        # future prison visits no longer fit after release: flag them for review, never drop them
        from prison_liaison.planning.visits import ReviewReason
        from prison_liaison.services import visits as visits_service

        await visits_service.flag_for_review(caller, participant.id, ReviewReason.PARTICIPANT_RELEASED)


async def record_initial_stage(
    caller: Caller, participant_id: UUID, stage: ParticipantStatus, *, on_date: date, reason: str = ""
) -> None:
    """The first entry of a new case's history (inside the creating transaction)."""
    await intake_repo.insert_stage_change(
        participant_id,
        from_stage=None,
        to_stage=stage.value,
        on_date=on_date,
        reason=reason,
        actor_id=caller.user_id,
        now=clock.now(),
    )


async def change_stage(
    caller: Caller,
    participant_id: UUID,
    *,
    to_stage: ParticipantStatus,
    on_date: date | None,
    reason: str,
    expected_version: int | None,
) -> Participant:
    """Move a case to another stage (its mentors and coordinators); a broken rule is 409/422 with its code."""
    from prison_liaison.services import participants as participants_service

    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        day = on_date or clock.today()
        await apply_stage_change(
            caller, participant, to_stage, on_date=day, reason=reason, expected_version=expected_version
        )
        await audit.record(
            caller,
            "participant.stage_changed",
            subject_type="participant",
            subject_id=participant_id,
            participant_id=participant_id,
            from_stage=participant.status.value,
            to_stage=to_stage.value,
            on_date=day,
        )
    return await participants_service.get_participant_unaudited(caller, participant_id)


async def stage_history(caller: Caller, participant_id: UUID) -> list[StageChange]:
    await access.load_participant(caller, participant_id)
    if caller.role == Role.PRISON_STAFF:
        raise NotFound("participant not found")  # worded like a missing participant: nothing to tell apart
    await audit.record(
        caller,
        "participant.stages_read",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
    )
    return await intake_repo.stage_history(participant_id)


async def after_mentors_set(caller: Caller, participant_id: UUID) -> bool:
    """Assigning the two mentors moves an intake on into custody care when consent and prison are recorded.

    Runs inside the caller's transaction; returns whether the case moved.
    """
    found = await participants_repo.get_participant(participant_id, access.participant_scope(caller))
    if found is None:
        return False
    participant, _ = found
    if participant.status != ParticipantStatus.INTAKE:
        return False
    referral = await intake_repo.get_referral(participant_id)
    if not ready_for_custody(
        participant.status,
        has_consent=_has_consent(referral),
        mentor_count=len(participant.mentors),
        has_prison=participant.prison_id is not None,
    ):
        return False
    await apply_stage_change(
        caller,
        participant,
        ParticipantStatus.IN_CUSTODY,
        on_date=clock.today(),
        reason=AUTO_CUSTODY_REASON,
        expected_version=None,
    )
    await audit.record(
        caller,
        "participant.stage_changed",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
        from_stage=participant.status.value,
        to_stage=ParticipantStatus.IN_CUSTODY.value,
        on_date=clock.today(),
        automatic=True,
    )
    return True


def _has_consent(referral_row: dict[str, Any] | None) -> bool:
    # a case registered without a referral record has its consent on paper outside this service
    return referral_row is None or referral_row["consent_date"] is not None


# --- referrals --------------------------------------------------------------------------------------------


def _referral(row: dict[str, Any]) -> Referral:
    return Referral(
        id=row["id"],
        participant_id=row["participant"],
        source=ReferralSource(row["source"]),
        source_text=row["source_text"],
        organisation=decrypt_text(row["organisation_encrypted"]),
        contact=decrypt_text(row["contact_encrypted"]),
        received_on=row["received_on"],
        consent_date=row["consent_date"],
        consent_form=row["consent_form"],
        version=row["version"],
    )


async def _new_code(year: int) -> str:
    return next_programme_code(await intake_repo.codes_like(f"L-{year}-"), year)


async def create_referral(caller: Caller, values: dict[str, Any]) -> tuple[Participant, Referral]:
    """Record a referral: a new participant at stage ``inquiry`` and its referral, in one transaction."""
    from prison_liaison.services import participants as participants_service

    access.require_role(caller, Role.COORDINATOR)
    today = clock.today()
    received_on: date = values.get("received_on") or today
    source = ReferralSource(values["source"])
    check_referral(
        source=source,
        source_text=values.get("source_text", ""),
        received_on=received_on,
        consent_date=values.get("consent_date"),
        consent_form=values.get("consent_form", ""),
        today=today,
    )
    code = values.get("code")
    if code:
        check_code(code)
    now = clock.now()
    async with db.transaction():
        prison_id = values.get("prison_id")
        if prison_id is not None and await prisons_repo.get_prison(prison_id) is None:
            raise ValidationFailed("no such prison", field="prison_id")
        if code:
            if await participants_repo.code_exists(code):
                raise Conflict(f"programme code {code!r} is taken", code="duplicate_code", field="code")
        else:
            code = await _new_code(received_on.year)
        participant_id = await participants_repo.insert_participant(
            {
                "code": code,
                "first_name": values.get("first_name", ""),
                "last_name": values.get("last_name", ""),
                "prison": prison_id,
                "status": ParticipantStatus.INQUIRY.value,
                "status_since": received_on,
                "notes_encrypted": encrypt_text(values.get("notes", "")),
            },
            now,
        )
        await record_initial_stage(
            caller,
            participant_id,
            ParticipantStatus.INQUIRY,
            on_date=received_on,
            reason=f"Zuweisung: {source.value}",
        )
        referral_id = await intake_repo.insert_referral(
            participant_id,
            {
                "source": source.value,
                "source_text": values.get("source_text", "").strip(),
                "organisation_encrypted": encrypt_text(values.get("organisation", "")),
                "contact_encrypted": encrypt_text(values.get("contact", "")),
                "received_on": received_on,
                "consent_date": values.get("consent_date"),
                "consent_form": values.get("consent_form", "").strip(),
            },
            now,
        )
        await audit.record(
            caller,
            "referral.created",
            subject_type="referral",
            subject_id=referral_id,
            participant_id=participant_id,
            source=source.value,
        )
    participant = await participants_service.get_participant_unaudited(caller, participant_id)
    row = await intake_repo.get_referral(participant_id)
    assert row is not None
    return participant, _referral(row)


async def _load_referral(caller: Caller, participant_id: UUID, *, write: bool) -> dict[str, Any]:
    await access.load_participant(caller, participant_id, write=write)
    if caller.role == Role.PRISON_STAFF:
        # who referred someone and how to reach them never leaves the programme; worded like a missing
        # participant, so a shared case and an unknown id cannot be told apart
        raise NotFound("participant not found")
    row = await intake_repo.get_referral(participant_id)
    if row is None:
        raise NotFound("this participant has no referral on record", code="no_referral")
    return row


async def get_referral(caller: Caller, participant_id: UUID) -> Referral:
    row = await _load_referral(caller, participant_id, write=False)
    await audit.record(
        caller,
        "referral.read",
        subject_type="referral",
        subject_id=row["id"],
        participant_id=participant_id,
    )
    return _referral(row)


async def update_referral(
    caller: Caller, participant_id: UUID, changes: dict[str, Any], *, expected_version: int | None
) -> Referral:
    """Change a referral (its mentors and coordinators), e.g. record the consent once it is given."""
    async with db.transaction():
        row = await _load_referral(caller, participant_id, write=True)
        current = _referral(row)
        merged = msgspec.structs.replace(
            current, **{k: v for k, v in changes.items() if k in Referral.__struct_fields__}
        )
        check_referral(
            source=ReferralSource(merged.source),
            source_text=merged.source_text,
            received_on=merged.received_on,
            consent_date=merged.consent_date,
            consent_form=merged.consent_form,
            today=clock.today(),
        )
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "organisation":
                values["organisation_encrypted"] = encrypt_text(value)
            elif key == "contact":
                values["contact_encrypted"] = encrypt_text(value)
            elif key == "source":
                values["source"] = ReferralSource(value).value
            elif key in ("source_text", "consent_form"):
                values[key] = value.strip()
            else:
                values[key] = value
        await intake_repo.update_referral(
            row["id"], values, expected_version=expected_version, now=clock.now()
        )
        await audit.record(
            caller,
            "referral.updated",
            subject_type="referral",
            subject_id=row["id"],
            participant_id=participant_id,
            fields=sorted(changes),
        )
    updated = await intake_repo.get_referral(participant_id)
    assert updated is not None
    return _referral(updated)


# --- the intake queue ------------------------------------------------------------------------------------


class QueueEntry(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    code: str
    initials: str
    stage: ParticipantStatus
    stage_since: date | None
    first_contact_on: date
    age_days: int
    source: ReferralSource | None
    consent_date: date | None
    mentor_count: int
    prison_id: UUID | None
    next_step: NextStep | None
    next_step_label: str
    version: int


async def intake_queue(caller: Caller) -> list[QueueEntry]:
    """Open inquiries and intakes, oldest first contact first, each with its next step (coordinators)."""
    access.require_role(caller, Role.COORDINATOR)
    today = clock.today()
    entries = []
    for row in await intake_repo.open_intake_cases([s.value for s in OPEN_INTAKE_STAGES]):
        referral = row["referral"]
        stage = ParticipantStatus(row["status"])
        first_contact = (
            referral["received_on"] if referral else row["first_stage_on"] or row["created_at"].date()
        )
        step = next_step(
            stage,
            has_consent=_has_consent(referral),
            mentor_count=row["mentor_count"],
            has_prison=row["prison"] is not None,
        )
        initials = "".join(part[:1].upper() + "." for part in (row["first_name"], row["last_name"]) if part)
        entries.append(
            QueueEntry(
                participant_id=row["id"],
                code=row["code"],
                initials=initials,
                stage=stage,
                stage_since=row["status_since"],
                first_contact_on=first_contact,
                age_days=(today - first_contact).days,
                source=ReferralSource(referral["source"]) if referral else None,
                consent_date=referral["consent_date"] if referral else None,
                mentor_count=row["mentor_count"],
                prison_id=row["prison"],
                next_step=step,
                next_step_label=NEXT_STEP_LABELS_DE[step] if step else "",
                version=row["version"],
            )
        )
    entries.sort(key=lambda e: (e.first_contact_on, e.code))
    await audit.record(
        caller,
        "intake_queue.read",
        subject_type="intake_queue",
        ids=[str(e.participant_id) for e in entries],
    )
    return entries
