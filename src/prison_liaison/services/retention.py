"""Retention (purge of closed cases), subject-access export, and re-encryption after a key change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import retention as retention_repo
from prison_liaison.planning.errors import NotFound
from prison_liaison.planning.models import Role
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import decrypt_text, rotate_text
from prison_liaison.settings import get_settings


async def purge_closed_cases(caller: Caller, *, dry_run: bool = False) -> list[UUID]:
    """Delete every case closed longer than the retention period; each deletion is audited."""
    if caller.role is not None:
        access.require_role(caller, Role.COORDINATOR)
    cutoff = clock.now() - timedelta(days=get_settings().retention_days)
    ids = await participants_repo.closed_before(cutoff)
    if dry_run:
        return ids
    for participant_id in ids:
        async with db.transaction():
            await participants_repo.delete_participant(participant_id)
            await audit.record(
                caller, "participant.purged", subject_type="participant", subject_id=participant_id,
                participant_id=participant_id, retention_days=get_settings().retention_days,
            )
    return ids


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if key in ("password_hash", "token_hash"):
                continue
            if key.endswith(retention_repo.ENCRYPTED_SUFFIX):
                clean[key.removesuffix(retention_repo.ENCRYPTED_SUFFIX)] = decrypt_text(value)
            else:
                clean[key] = retention_repo.loads_json(value)
        out.append(clean)
    return out


async def export_participant(caller: Caller, participant_id: UUID) -> dict[str, Any]:
    """Everything stored about one participant (decrypted), including its access history."""
    if caller.role is not None:
        access.require_role(caller, Role.COORDINATOR)
    rows = await retention_repo.rows_about(participant_id)
    if not rows["participant"]:
        raise NotFound("participant not found")
    async with db.transaction():
        await audit.record(
            caller, "participant.exported", subject_type="participant", subject_id=participant_id,
            participant_id=participant_id,
        )
    return {
        "exported_at": clock.now().isoformat(),
        "participant_id": str(participant_id),
        "records": {table: _plain(r) for table, r in rows.items()},
    }


async def rotate_encryption(caller: Caller) -> int:
    """Re-encrypt every encrypted field with the first key; old keys may then be removed."""
    fields = await retention_repo.encrypted_fields()
    async with db.transaction():
        for table, column, row_id, value in fields:
            await retention_repo.write_encrypted(table, column, row_id, rotate_text(value))
        await audit.record(caller, "system.key_rotated", subject_type="system", fields=len(fields))
    return len(fields)
