"""Participants: list, read, create, change, archive, assign mentors — always within the caller's scope."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.planning.errors import Conflict, NotFound, ValidationFailed
from prison_liaison.planning.models import MentorRole, Participant, ParticipantStatus, Role
from prison_liaison.planning.participants import check_cadence, check_code, check_mentor_pair
from prison_liaison.planning.visits import ReviewReason
from prison_liaison.services import access, audit
from prison_liaison.services import release_dates as release_dates_service
from prison_liaison.services import visits as visits_service
from prison_liaison.services.context import Caller
from prison_liaison.services.security import decrypt_text, encrypt_text

MENTOR_EDITABLE = frozenset({"cadence_days", "notes", "planning_basis"})


def pseudonymised(participant: Participant) -> Participant:
    """What prison staff may know: code and initials, no names, no notes (names never leave this layer)."""
    import msgspec

    return msgspec.structs.replace(
        participant, first_name=participant.first_name[:1], last_name=participant.last_name[:1], notes=""
    )


def _with_notes(participant: Participant, encrypted: str, caller: Caller) -> Participant:
    import msgspec

    if caller.role == Role.PRISON_STAFF:
        return pseudonymised(participant)
    return msgspec.structs.replace(participant, notes=decrypt_text(encrypted))


async def list_participants(
    caller: Caller,
    *,
    limit: int,
    cursor: str | None = None,
    status: list[str] | None = None,
    prison_id: UUID | None = None,
    mentor_id: UUID | None = None,
    code_prefix: str | None = None,
    order: str = "code",
) -> tuple[list[Participant], str | None]:
    access.require_user(caller)
    items, next_cursor = await participants_repo.list_participants(
        access.participant_scope(caller),
        limit=limit,
        cursor=cursor,
        status=status,
        prison_id=prison_id,
        mentor_id=mentor_id,
        code_prefix=code_prefix,
        order=order,
    )
    if caller.role == Role.PRISON_STAFF:
        items = [pseudonymised(p) for p in items]
    await audit.record(
        caller, "participant.listed", subject_type="participant", ids=[str(p.id) for p in items]
    )
    return items, next_cursor


async def get_participant(caller: Caller, participant_id: UUID) -> Participant:
    participant, encrypted = await access.load_participant(caller, participant_id)
    await audit.record(
        caller, "participant.read", subject_type="participant", subject_id=participant_id,
        participant_id=participant_id,
    )
    return _with_notes(participant, encrypted, caller)


def _validate(values: dict[str, Any]) -> None:
    if "code" in values:
        check_code(values["code"])
    if "cadence_days" in values:
        check_cadence(values["cadence_days"])
    if "status" in values:
        try:
            ParticipantStatus(values["status"])
        except ValueError as exc:
            raise ValidationFailed("unknown status", field="status") from exc


async def _check_prison(prison_id: UUID | None) -> None:
    if prison_id is not None and await prisons_repo.get_prison(prison_id) is None:
        raise ValidationFailed("no such prison", field="prison_id")


async def create_participant(caller: Caller, values: dict[str, Any]) -> Participant:
    access.require_role(caller, Role.COORDINATOR)
    _validate(values)
    values = dict(values)
    notes = values.pop("notes", "")
    lead_id = values.pop("lead_id", None)
    co_id = values.pop("co_id", None)
    prison_id = values.pop("prison_id", None)
    now = clock.now()
    async with db.transaction():
        await _check_prison(prison_id)
        if await participants_repo.code_exists(values["code"]):
            raise Conflict(f"programme code {values['code']!r} is taken", code="duplicate_code", field="code")
        participant_id = await participants_repo.insert_participant(
            {**values, "prison": prison_id, "notes_encrypted": encrypt_text(notes),
             "status_since": values.get("status_since") or clock.today()},
            now,
        )
        if lead_id is not None:
            await _assign(participant_id, lead_id, co_id, now)
        from prison_liaison.services import intake as intake_service

        await intake_service.record_initial_stage(
            caller, participant_id, ParticipantStatus(values.get("status") or ParticipantStatus.IN_CUSTODY),
            on_date=values.get("status_since") or clock.today(),
        )
        await audit.record(
            caller, "participant.created", subject_type="participant", subject_id=participant_id,
            participant_id=participant_id,
        )
    return await get_participant_unaudited(caller, participant_id)


async def get_participant_unaudited(caller: Caller, participant_id: UUID) -> Participant:
    """For answers to writes, which are audited as writes already."""
    participant, encrypted = await access.load_participant(caller, participant_id)
    return _with_notes(participant, encrypted, caller)


async def update_participant(
    caller: Caller, participant_id: UUID, changes: dict[str, Any], *, expected_version: int
) -> Participant:
    _validate(changes)
    changes = dict(changes)
    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        if caller.role == Role.MENTOR:
            not_allowed = sorted(set(changes) - MENTOR_EDITABLE)
            if not_allowed:
                raise ValidationFailed(
                    f"mentors may change only {', '.join(sorted(MENTOR_EDITABLE))}", field=not_allowed[0]
                )
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "notes":
                values["notes_encrypted"] = encrypt_text(value)
            elif key == "prison_id":
                await _check_prison(value)
                values["prison"] = value
            else:
                values[key] = value
        # a status change is a stage change: same rules and history as POST /participants/{id}/stage (which
        # also takes the date and the reason that withdrawn/declined need)
        new_status = ParticipantStatus(values.pop("status")) if "status" in values else None
        await participants_repo.update_participant(
            participant_id, values, expected_version=expected_version, now=clock.now()
        )
        if {"planning_basis", "admitted_on"} & set(changes):
            # the planning date and the windows anchored on it (or on admission) follow at once
            changed = msgspec.structs.replace(
                participant, **{k: changes[k] for k in ("planning_basis", "admitted_on") if k in changes}
            )
            await release_dates_service.replan(caller, changed, clock.now())
        # future prison visits no longer fit after a transfer or release: flag them, never drop them
        if "prison_id" in changes and changes["prison_id"] != participant.prison_id:
            await visits_service.flag_for_review(
                caller, participant_id, ReviewReason.PARTICIPANT_TRANSFERRED, new_prison_id=values["prison"]
            )
        if new_status is not None and new_status != participant.status:
            from prison_liaison.services import intake as intake_service

            await intake_service.apply_stage_change(
                caller, msgspec.structs.replace(participant, prison_id=values.get("prison", participant.prison_id)),
                new_status, on_date=clock.today(), reason="", expected_version=None,
            )
        await audit.record(
            caller, "participant.updated", subject_type="participant", subject_id=participant_id,
            participant_id=participant_id, fields=sorted(changes),
        )
    return await get_participant_unaudited(caller, participant_id)


async def archive_participant(caller: Caller, participant_id: UUID, *, expected_version: int | None) -> None:
    """Coordinators archive a case: it disappears from lists and feeds; purge deletes it after retention."""
    async with db.transaction():
        await access.load_participant(caller, participant_id, write=True, coordinators_only=True)
        now = clock.now()
        await participants_repo.update_participant(
            participant_id, {"archived_at": now, "closed_at": now}, expected_version=expected_version, now=now
        )
        await audit.record(
            caller, "participant.archived", subject_type="participant", subject_id=participant_id,
            participant_id=participant_id,
        )


async def _assign(participant_id: UUID, lead_id: UUID, co_id: UUID | None, now: Any) -> bool:
    check_mentor_pair(lead_id, co_id)
    wanted = [lead_id] + ([co_id] if co_id else [])
    mentors = await participants_repo.active_users_with_role(wanted, Role.MENTOR.value)
    for field, mentor_id in (("lead_id", lead_id), ("co_id", co_id)):
        if mentor_id is not None and mentor_id not in mentors:
            raise ValidationFailed("not an active mentor", field=field)
    return await participants_repo.set_mentors(participant_id, {MentorRole.LEAD: lead_id, MentorRole.CO: co_id}, now)


async def set_mentors(caller: Caller, participant_id: UUID, lead_id: UUID, co_id: UUID | None) -> Participant:
    """Exactly one lead, at most one co-mentor; the history is kept; a mentor taken off loses access at once."""
    async with db.transaction():
        await access.load_participant(caller, participant_id, write=True, coordinators_only=True)
        now = clock.now()
        if await _assign(participant_id, lead_id, co_id, now):
            await participants_repo.update_participant(participant_id, {}, expected_version=None, now=now)
        from prison_liaison.services import intake as intake_service

        await intake_service.after_mentors_set(caller, participant_id)
        await audit.record(
            caller, "participant.mentors_set", subject_type="participant", subject_id=participant_id,
            participant_id=participant_id, lead_id=lead_id, co_id=co_id,
        )
    return await get_participant_unaudited(caller, participant_id)


async def mentor_history(caller: Caller, participant_id: UUID) -> list[Any]:
    await access.load_participant(caller, participant_id)
    if caller.role == Role.PRISON_STAFF:
        raise NotFound("participant not found")  # worded like a missing participant: nothing to tell apart
    await audit.record(
        caller, "participant.mentor_history_read", subject_type="participant", subject_id=participant_id,
        participant_id=participant_id,
    )
    return await participants_repo.mentor_history(participant_id)
