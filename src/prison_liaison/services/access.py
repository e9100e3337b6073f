"""Object-level access: who may see and change which participant. Every use case goes through here.

Coordinators see the whole programme; mentors see the cases they are currently assigned to; prison staff see
cases with an active share to their prison, read-only. Anything else is "not found", exactly like an id that
does not exist.
"""

from __future__ import annotations

from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.planning.errors import Forbidden, NotFound, Unauthorized
from prison_liaison.planning.models import Participant, ParticipantScope, Role
from prison_liaison.services.context import Caller


def participant_scope(caller: Caller) -> ParticipantScope:
    if caller.role == Role.COORDINATOR:
        return ParticipantScope(everything=True)
    if caller.role == Role.MENTOR and caller.user_id is not None:
        return ParticipantScope(mentor_id=caller.user_id)
    if caller.role == Role.PRISON_STAFF and caller.prison_id is not None:
        return ParticipantScope(shared_with_prison_id=caller.prison_id, on=clock.today())
    return ParticipantScope()


def require_user(caller: Caller) -> None:
    if caller.user_id is None or caller.role is None:
        raise Unauthorized("authentication required")


def require_role(caller: Caller, *roles: Role) -> None:
    """For resources a role may not even know about: answer as if they did not exist."""
    require_user(caller)
    if caller.role not in roles:
        raise NotFound("not found")


def require_coordinator_or_operator(caller: Caller) -> None:
    """Coordinators, or the operator at the command line (never an anonymous web caller)."""
    if caller.operator and caller.user_id is None and caller.role is None:
        return
    require_role(caller, Role.COORDINATOR)


async def load_participant(
    caller: Caller,
    participant_id: UUID,
    *,
    write: bool = False,
    include_archived: bool = False,
    coordinators_only: bool = False,
) -> tuple[Participant, str]:
    """The participant if the caller may see it (else 404); with ``write``, prison staff get 403.

    ``coordinators_only``: those who may see the participant but not do this (mentors, prison staff) get 403 —
    they know the case exists, so 404 would hide nothing.
    """
    require_user(caller)
    found = await participants_repo.get_participant(
        participant_id, participant_scope(caller), include_archived=include_archived
    )
    if found is None:
        await _record_refusal(caller, participant_id, write=write)
        raise NotFound("participant not found")
    if write:
        require_case_write(caller)
    if coordinators_only and caller.role != Role.COORDINATOR:
        raise Forbidden("only coordinators may do this", code="coordinators_only")
    return found


async def _record_refusal(caller: Caller, participant_id: UUID, *, write: bool) -> None:
    """A caller asked for a case that exists but is not theirs: the answer stays 404 (it reveals nothing), and
    the attempt goes into the audit log and so into the participant's access history. Ids that do not exist
    leave no trace (guessing ids fills nothing)."""
    if caller.role == Role.COORDINATOR or not await participants_repo.exists(participant_id):
        return
    from prison_liaison.services import audit  # audit reads through this module: imported at use

    async def record() -> None:
        await audit.record(
            caller, "participant.access_refused", subject_type="participant", subject_id=participant_id,
            participant_id=participant_id, write=write,
        )

    # inside a write's transaction the refusal would be rolled back with it: it is written once that has ended
    if not db.after_transaction(record):
        await record()


def require_case_write(caller: Caller) -> None:
    """Prison staff only read: 403 on a write to a record they can see. Check what they may see first, so a
    record hidden from them stays a 404."""
    if caller.role == Role.PRISON_STAFF:
        raise Forbidden("prison staff have read-only access to shared plans", code="read_only")


async def require_coordinator_for_participant(caller: Caller, participant_id: UUID) -> None:
    """Coordinator-only actions on one participant (archived ones included): 404 if the caller cannot see it,
    403 if they can but are not a coordinator; the operator at the command line may."""
    if caller.operator and caller.user_id is None and caller.role is None:
        return
    await load_participant(caller, participant_id, include_archived=True, coordinators_only=True)


async def visible_participant_ids(caller: Caller) -> list[UUID]:
    require_user(caller)
    return await participants_repo.visible_ids(participant_scope(caller))


def can_write_cases(caller: Caller) -> bool:
    return caller.role in (Role.COORDINATOR, Role.MENTOR)
