"""Retention (purge of closed cases), subject-access export, and re-encryption after a key change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from cryptography.fernet import InvalidToken

from prison_liaison import clock
from prison_liaison.persistence import audit as audit_repo
from prison_liaison.persistence import db
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import retention as retention_repo
from prison_liaison.planning.errors import Conflict, NotFound
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller
from prison_liaison.services.security import decrypt_text, rotate_text
from prison_liaison.settings import get_settings

SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "csrf_token"})


async def purge_closed_cases(caller: Caller, *, dry_run: bool = False) -> list[UUID]:
    """Delete every case closed longer than the retention period; each deletion is audited."""
    access.require_coordinator_or_operator(caller)
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
    """Rows as the subject may read them: encrypted columns decrypted, secrets (hashes) left out."""
    out = []
    for row in rows:
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if key in SECRET_COLUMNS:
                continue
            if key.endswith(retention_repo.ENCRYPTED_SUFFIX):
                clean[key.removesuffix(retention_repo.ENCRYPTED_SUFFIX)] = decrypt_text(value)
            else:
                clean[key] = value
        out.append(clean)
    return out


async def export_participant(caller: Caller, participant_id: UUID) -> dict[str, Any]:
    """Everything stored about one participant (decrypted), including its access history (coordinators, or
    the operator at the command line). The export is audited."""
    await access.require_coordinator_for_participant(caller, participant_id)
    rows = await retention_repo.rows_about(participant_id)
    if not rows["participant"]:
        raise NotFound("participant not found")
    events = await audit_repo.for_participant(participant_id)
    await audit.record(
        caller, "participant.exported", subject_type="participant", subject_id=participant_id,
        participant_id=participant_id,
    )
    return {
        "exported_at": clock.now().isoformat(),
        "participant_id": str(participant_id),
        "records": {table: _plain(r) for table, r in rows.items()},
        "access_history": events,
    }


async def rotate_encryption(caller: Caller) -> int:
    """Re-encrypt every encrypted field with the first key; old keys may then be removed.

    All or nothing: if any field cannot be decrypted with the configured keys, nothing is changed.
    """
    access.require_coordinator_or_operator(caller)
    fields = await retention_repo.encrypted_fields()
    rotated = []
    unreadable = 0
    for table, column, row_id, value in fields:
        try:
            rotated.append((table, column, row_id, rotate_text(value)))
        except InvalidToken:
            unreadable += 1
    if unreadable:
        raise Conflict(
            f"{unreadable} encrypted field(s) cannot be decrypted with any configured key; list the old key "
            "after the new one in PRISON_LIAISON_ENCRYPTION_KEY and run the rotation again",
            code="undecryptable_fields",
        )
    async with db.transaction():
        for table, column, row_id, value in rotated:
            await retention_repo.write_encrypted(table, column, row_id, value)
        await audit.record(caller, "system.key_rotated", subject_type="system", fields=len(rotated))
    return len(rotated)
