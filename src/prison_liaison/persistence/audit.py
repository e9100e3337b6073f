"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import SQLiteEngine

from prison_liaison.persistence.common import decode_cursor, encode_cursor, utc
from prison_liaison.persistence.tables import AuditEventTable


def _row(
    *,
    at: datetime,
    action: str,
    actor_id: UUID | None,
    actor_username: str,
    actor_role: str,
    subject_type: str,
    subject_id: str,
    participant_id: UUID | None,
    client: str,
    request_id: str,
    detail: dict[str, Any],
) -> AuditEventTable:
    return AuditEventTable(
        id=uuid4(),
        at=at,
        action=action,
        actor_id=actor_id,
        actor_username=actor_username,
        actor_role=actor_role,
        subject_type=subject_type,
        subject_id=subject_id,
        participant_id=participant_id,
        client=client[:100],
        request_id=request_id[:64],
        detail=detail,
    )


async def append(**event: Any) -> None:
    """One event, in the caller's transaction if there is one (keyword arguments as in ``_row``)."""
    await AuditEventTable.insert(_row(**event))


async def append_many(events: list[dict[str, Any]]) -> None:
    """Several events in one INSERT statement (one commit outside a transaction)."""
    if events:
        await AuditEventTable.insert(*(_row(**event) for event in events))


def _event(row: dict[str, Any]) -> dict[str, Any]:
    detail = row["detail"]
    if isinstance(detail, str):
        import json

        detail = json.loads(detail)
    return {**row, "at": utc(row["at"]), "detail": detail}


async def query(
    *,
    participant_id: UUID | None = None,
    actor_id: UUID | None = None,
    action_prefix: str | None = None,
    subject_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    q = AuditEventTable.select()
    where: list[Any] = []
    if subject_id:
        where.append(AuditEventTable.subject_id == subject_id)
    if participant_id is not None:
        where.append(AuditEventTable.participant_id == participant_id)
    if actor_id is not None:
        where.append(AuditEventTable.actor_id == actor_id)
    if action_prefix:
        where.append(AuditEventTable.action.like(action_prefix.replace("%", "") + "%"))
    if since is not None:
        where.append(AuditEventTable.at >= since)
    if until is not None:
        where.append(AuditEventTable.at < until)
    if cursor:
        at_s, id_s = decode_cursor(cursor, 2)
        at_c = datetime.fromisoformat(at_s)
        where.append(
            (AuditEventTable.at < at_c) | ((AuditEventTable.at == at_c) & (AuditEventTable.id < UUID(id_s)))
        )
    for w in where:
        q = q.where(w)
    rows = await q.order_by(AuditEventTable.at, AuditEventTable.id, ascending=False).limit(limit + 1)
    events = [_event(r) for r in rows[:limit]]
    next_cursor = encode_cursor(events[-1]["at"], events[-1]["id"]) if len(rows) > limit else None
    return events, next_cursor


async def count(action: str | None = None) -> int:
    q = AuditEventTable.count()
    if action:
        q = q.where(AuditEventTable.action == action)
    return int(await q)


LIST_ACTIONS = ("participant.listed",)


async def for_participant(participant_id: UUID) -> list[dict[str, Any]]:
    """Every event about one participant, oldest first: those naming it as their participant, and the list
    reads whose answer contained it (their ``detail.ids``)."""
    detail_text = "detail" if isinstance(AuditEventTable._meta.db, SQLiteEngine) else "detail::text"
    in_list = AuditEventTable.action.is_in(list(LIST_ACTIONS)) & WhereRaw(
        f"{detail_text} LIKE {{}}", f"%{participant_id}%"
    )
    rows = await AuditEventTable.select().where(
        (AuditEventTable.participant_id == participant_id) | in_list
    ).order_by(AuditEventTable.at, AuditEventTable.id)
    return [_event(r) for r in rows]
