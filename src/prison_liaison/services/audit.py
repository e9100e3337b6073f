"""Writing and reading the audit log. Every write happens inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prison_liaison import clock
from prison_liaison.persistence import audit as audit_repo
from prison_liaison.persistence import db
from prison_liaison.planning.errors import NotFound
from prison_liaison.services import access
from prison_liaison.services.context import Caller

SECRET_KEYS = frozenset({"password", "token", "secret", "password_hash", "token_hash", "notes"})


def _utc(value: datetime | None) -> datetime | None:
    """Instants without an offset are taken as UTC, the log's own zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _clean(detail: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if key in SECRET_KEYS:
            continue
        if isinstance(value, UUID | datetime):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


async def record(
    caller: Caller,
    action: str,
    *,
    subject_type: str = "",
    subject_id: object = "",
    participant_id: UUID | None = None,
    **detail: Any,
) -> None:
    """Append one audit event: who, what, on which subject, from where. Never secret values."""
    await audit_repo.append(
        at=clock.now(),
        action=action,
        actor_id=caller.user_id,
        actor_username=caller.username,
        actor_role=caller.role.value if caller.role else "",
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id else "",
        participant_id=participant_id,
        client=caller.client,
        request_id=caller.request_id,
        detail=_clean(detail),
    )


async def query_events(
    caller: Caller,
    *,
    participant_id: UUID | None = None,
    actor_id: UUID | None = None,
    action: str | None = None,
    subject_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Coordinators only; anyone else sees no such resource. Reading the log is itself audited."""
    if not caller.is_coordinator:
        raise NotFound("not found")
    since, until = _utc(since), _utc(until)
    async with db.transaction():
        await record(
            caller, "audit.queried", subject_type="audit_event", participant_id=participant_id,
            actor_id=actor_id, action_prefix=action, subject=subject_id, since=since, until=until,
        )
    return await audit_repo.query(
        participant_id=participant_id,
        actor_id=actor_id,
        action_prefix=action,
        subject_id=subject_id,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )


async def access_history(caller: Caller, participant_id: UUID) -> list[dict[str, Any]]:
    """Every audit event about one participant (reads, list appearances, changes, shares, exports), oldest
    first, for the participant's subject-access request. Coordinators; the export is audited."""
    await access.require_coordinator_for_participant(caller, participant_id)
    events = await audit_repo.for_participant(participant_id)
    async with db.transaction():
        await record(
            caller, "participant.access_history_exported", subject_type="participant",
            subject_id=participant_id, participant_id=participant_id, events=len(events),
        )
    return events
