"""Shares of a participant's plan with a prison (consent, scope, expiry, revocation)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from prison_liaison.persistence.common import utc
from prison_liaison.persistence.tables import ShareTable
from prison_liaison.planning.shares import Share


def _scope(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = json.loads(value) if value else []
    return tuple(str(v) for v in value or [])


def _share(row: dict[str, Any]) -> Share:
    return Share(
        id=row["id"],
        participant_id=row["participant"],
        prison_id=row["prison"],
        scope=_scope(row["scope"]),
        consent_date=row["consent_date"],
        consent_scope=row["consent_scope"],
        consent_recorded_by=row["consent_recorded_by"],
        expires_on=row["expires_on"],
        revoked_at=utc(row["revoked_at"]),
        revoked_by=row["revoked_by"],
        created_at=utc(row["created_at"]),
        version=row["version"],
    )


def _active(on: date) -> Any:
    return ShareTable.revoked_at.is_null() & (ShareTable.expires_on.is_null() | (ShareTable.expires_on >= on))


async def insert_share(
    *,
    participant_id: UUID,
    prison_id: UUID,
    scope: tuple[str, ...],
    consent_date: date,
    consent_scope: str,
    recorded_by: UUID | None,
    expires_on: date | None,
    now: datetime,
) -> Share:
    share_id = uuid4()
    await ShareTable.insert(
        ShareTable(
            id=share_id,
            participant=participant_id,
            prison=prison_id,
            scope=list(scope),
            consent_date=consent_date,
            consent_scope=consent_scope,
            consent_recorded_by=recorded_by,
            expires_on=expires_on,
            created_at=now,
            updated_at=now,
        )
    )
    share = await get_share(share_id)
    assert share is not None
    return share


async def get_share(share_id: UUID) -> Share | None:
    row = await ShareTable.select().where(ShareTable.id == share_id).first()
    return _share(row) if row else None


async def list_shares(
    participant_id: UUID, *, prison_id: UUID | None = None, active_on: date | None = None
) -> list[Share]:
    """Shares of one participant, newest first; optionally only one prison's, optionally only active ones."""
    q = ShareTable.select().where(ShareTable.participant == participant_id)
    if prison_id is not None:
        q = q.where(ShareTable.prison == prison_id)
    if active_on is not None:
        q = q.where(_active(active_on))
    rows = await q.order_by(ShareTable.created_at, ascending=False)
    return [_share(r) for r in rows]


async def active_share_for(participant_id: UUID, prison_id: UUID, on: date) -> Share | None:
    row = (
        await ShareTable.select()
        .where((ShareTable.participant == participant_id) & (ShareTable.prison == prison_id) & _active(on))
        .first()
    )
    return _share(row) if row else None


async def shared_scopes(participant_id: UUID, prison_id: UUID, on: date) -> set[str]:
    """The union of the domains of every active share of the participant with the prison."""
    rows = await ShareTable.select(ShareTable.scope).where(
        (ShareTable.participant == participant_id) & (ShareTable.prison == prison_id) & _active(on)
    )
    domains: set[str] = set()
    for row in rows:
        domains.update(_scope(row["scope"]))
    return domains


async def revoke_share(share_id: UUID, *, by: UUID | None, now: datetime) -> bool:
    """Mark a share revoked (the row stays as history); False if it was revoked already."""
    rows = (
        await ShareTable.update(
            {
                ShareTable.revoked_at: now,
                ShareTable.revoked_by: by,
                ShareTable.updated_at: now,
                ShareTable.version: ShareTable.version + 1,
            }
        )
        .where((ShareTable.id == share_id) & ShareTable.revoked_at.is_null())
        .returning(ShareTable.id)
    )
    return bool(rows)
