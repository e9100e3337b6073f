"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString
from piccolo.utils.encoding import dump_json

from prison_liaison.persistence import db
from prison_liaison.persistence.common import decode_cursor, encode_cursor, utc
from prison_liaison.persistence.tables import AuditEventTable

_COLUMNS = (
    "id", "at", "action", "actor_id", "actor_username", "actor_role", "subject_type", "subject_id",
    "participant_id", "client", "request_id", "detail",
)
_INSERTS: dict[tuple[str, int], str] = {}


def _insert(rows: int, dialect: str) -> str:
    """``INSERT ... VALUES (...), (...)`` for ``rows`` events with the dialect's placeholders: ``{}`` for a
    Piccolo QueryString, ``$n`` for PostgreSQL, ``?`` for SQLite. Built once per batch size."""
    key = (dialect, rows)
    sql = _INSERTS.get(key)
    if sql is None:
        width = len(_COLUMNS)
        if dialect == "postgres":
            values = ", ".join(
                "(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")" for r in range(rows)
            )
        else:
            one = "(" + ", ".join(("{}" if dialect == "querystring" else "?") for _ in _COLUMNS) + ")"
            values = ", ".join([one] * rows)
        columns = ", ".join(f'"{c}"' for c in _COLUMNS)
        # constant column names and placeholders only: the values travel as parameters
        sql = f'INSERT INTO "audit_event" ({columns}) VALUES {values}'  # noqa: S608
        if rows <= 64:
            _INSERTS[key] = sql
    return sql


async def append_many(events: list[dict[str, Any]]) -> None:
    """Several events in one INSERT statement (one commit outside a transaction).

    Written out rather than through Table instances: this is the write every audited read, download and feed
    fetch waits for, and building Piccolo rows (or even a QueryString of a dozen parameters per event) cost
    more than the INSERT itself.
    """
    if not events:
        return
    args: list[Any] = []
    for event in events:
        args += (
            uuid4(), event["at"], event["action"], event["actor_id"], event["actor_username"][:80],
            event["actor_role"], event["subject_type"], event["subject_id"][:60], event["participant_id"],
            event["client"][:100], event["request_id"][:64], dump_json(event["detail"]),
        )
    if db.in_transaction():
        await db.engine().run_querystring(QueryString(_insert(len(events), "querystring"), *args))
    else:
        dialect = "sqlite" if db.is_sqlite() else "postgres"
        await db.execute_outside_transaction(_insert(len(events), dialect), args)


async def append(**event: Any) -> None:
    """One event, in the caller's transaction if there is one (the keys of ``services.audit._event``)."""
    await append_many([event])


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
