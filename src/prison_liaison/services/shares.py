"""Sharing a participant's plan with a prison: create with consent, list, revoke; what a prison may see.

Mentors of the participant and coordinators share and revoke; prison staff read the shares with their own
prison and nothing else. Prison staff's access to a participant (services/access.py) exists only while a share
with their prison is active, so revoking or expiring a share ends it at once.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import prisons as prisons_repo
from prison_liaison.persistence import shares as shares_repo
from prison_liaison.planning.errors import Conflict, NotFound, ValidationFailed
from prison_liaison.planning.models import Role
from prison_liaison.planning.shares import NEVER_SHARED, Share, check_dates, check_scope
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller


async def create_share(
    caller: Caller,
    participant_id: UUID,
    *,
    prison_id: UUID,
    scope: list[str],
    consent_date: date,
    consent_scope: str,
    expires_on: date | None = None,
) -> Share:
    """Share plan domains with a prison, recording the participant's consent (recorded by the caller)."""
    domains = check_scope(scope)
    consent_scope = consent_scope.strip()
    if not consent_scope:
        raise ValidationFailed(
            "describe what the participant consented to", field="consent_scope", code="consent_scope_missing"
        )
    today = clock.today()
    check_dates(consent_date=consent_date, expires_on=expires_on, today=today)
    async with db.transaction():
        await access.load_participant(caller, participant_id, write=True)
        if await prisons_repo.get_prison(prison_id) is None:
            raise ValidationFailed("no such prison", field="prison_id", code="unknown_prison")
        existing = await shares_repo.active_share_for(participant_id, prison_id, today)
        if existing is not None:
            raise Conflict(
                "the plan is already shared with this prison; revoke that share before sharing again",
                code="share_exists",
                share_id=str(existing.id),
            )
        share = await shares_repo.insert_share(
            participant_id=participant_id,
            prison_id=prison_id,
            scope=domains,
            consent_date=consent_date,
            consent_scope=consent_scope,
            recorded_by=caller.user_id,
            expires_on=expires_on,
            now=clock.now(),
        )
        await audit.record(
            caller, "plan.shared", subject_type="share", subject_id=share.id, participant_id=participant_id,
            prison_id=prison_id, scope=list(domains), consent_date=consent_date, expires_on=expires_on,
        )
    return share


async def list_shares(caller: Caller, participant_id: UUID) -> list[Share]:
    """Every share of the participant (history included); prison staff see only their prison's active ones."""
    await access.load_participant(caller, participant_id)
    if caller.role == Role.PRISON_STAFF:
        assert caller.prison_id is not None
        shares = await shares_repo.list_shares(
            participant_id, prison_id=caller.prison_id, active_on=clock.today()
        )
    else:
        shares = await shares_repo.list_shares(participant_id)
    await audit.record(
        caller, "share.listed", subject_type="participant", subject_id=participant_id,
        participant_id=participant_id,
    )
    return shares


async def revoke_share(caller: Caller, share_id: UUID) -> Share:
    """End a share now; the row stays, with who revoked it and when."""
    async with db.transaction():
        share = await shares_repo.get_share(share_id)
        if share is None:
            raise NotFound("share not found")
        try:
            # a participant the caller cannot see → as if there were no share
            await access.load_participant(caller, share.participant_id)
        except NotFound:
            raise NotFound("share not found") from None
        if caller.role == Role.PRISON_STAFF and not (
            share.prison_id == caller.prison_id and share.is_active(clock.today())
        ):
            raise NotFound("share not found")  # prison staff see only their prison's active shares
        access.require_case_write(caller)  # a share they can see: 403 (read-only)
        if not await shares_repo.revoke_share(share_id, by=caller.user_id, now=clock.now()):
            raise Conflict("the share was revoked already", code="share_revoked", revoked_at=share.revoked_at)
        await audit.record(
            caller, "plan.share_revoked", subject_type="share", subject_id=share_id,
            participant_id=share.participant_id, prison_id=share.prison_id,
        )
    revoked = await shares_repo.get_share(share_id)
    assert revoked is not None
    return revoked


async def shared_domains(caller: Caller, participant_id: UUID) -> set[str] | None:
    """The plan domains the caller may see for this participant: ``None`` means all of them (mentors,
    coordinators); for prison staff the union of the active shares with their prison (empty if none).

    For plans, prints and feeds: call after ``access.load_participant`` and drop every item whose domain is
    not in the set. Deradicalisation is never in it.
    """
    access.require_user(caller)
    if caller.role != Role.PRISON_STAFF:
        return None
    if caller.prison_id is None:
        return set()
    return await shares_repo.shared_scopes(participant_id, caller.prison_id, clock.today())


def is_visible_domain(domain: str, shared: set[str] | None) -> bool:
    """Whether a plan item of ``domain`` may be shown given ``shared_domains(...)``.

    Items and appointments also carry their own ``shared_with_prison`` flag: prison staff see an item only if
    both say yes (``is_visible_domain(item.domain, shared) and (shared is None or item.shared_with_prison)``).
    """
    return shared is None or (domain in shared and domain not in NEVER_SHARED)
