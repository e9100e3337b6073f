"""Writing and reading the audit log.

A change writes its event inside its own transaction; an event that stands alone - a read, a download, a feed
fetch, a login refused - is committed on its own, shared with concurrent ones (group commit). Either way
``record`` returns only once the event is durable.
"""

from __future__ import annotations

import asyncio
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


def _event(
    caller: Caller,
    action: str,
    subject_type: str,
    subject_id: object,
    participant_id: UUID | None,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "at": clock.now(),
        "action": action,
        "actor_id": caller.user_id,
        "actor_username": caller.username,
        "actor_role": caller.role.value if caller.role else "",
        "subject_type": subject_type,
        "subject_id": str(subject_id) if subject_id else "",
        "participant_id": participant_id,
        "client": caller.client,
        "request_id": caller.request_id,
        "detail": _clean(detail),
    }


async def record(
    caller: Caller,
    action: str,
    *,
    subject_type: str = "",
    subject_id: object = "",
    participant_id: UUID | None = None,
    **detail: Any,
) -> None:
    """Append one audit event: who, what, on which subject, from where; never secret values. Returns only once
    the event is durable.

    Inside a transaction (a change) it joins that transaction and commits or rolls back with it. An event that
    stands alone (a read, a download, a feed fetch) is committed on its own, and concurrent ones share one
    INSERT and one commit (group commit): a burst of audited reads costs one write instead of one per request,
    and still no request answers before its own row is durable. This is not fire-and-forget: if the write
    fails, every request in the batch fails with it.
    """
    event = _event(caller, action, subject_type, subject_id, participant_id, detail)
    if db.in_transaction():
        await audit_repo.append(**event)
    else:
        await _group_commit.append(event)


class _Batch:
    __slots__ = ("events", "written")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.events: list[dict[str, Any]] = []
        self.written: asyncio.Future[None] = loop.create_future()


class _GroupCommit:
    """At most one audit INSERT in flight per event loop; events that arrive meanwhile wait for the next one.

    There is no timer and no added latency: a lone request's event is written at once, and under load the
    batch grows by itself to the events that arrived during the previous write.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next: _Batch | None = None
        self._writing = False
        self._task: asyncio.Task[None] | None = None

    async def append(self, event: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a test session, a benchmark): nothing carries over
            self._loop, self._next, self._writing = loop, None, False
        if self._next is None:
            self._next = _Batch(loop)
        batch = self._next
        batch.events.append(event)
        if not self._writing:
            self._writing = True
            self._task = loop.create_task(self._drain())  # referenced, so it is not collected mid-write
        # a client that goes away does not cancel the write of its own or anyone else's event
        await asyncio.shield(batch.written)

    async def _drain(self) -> None:
        batch: _Batch | None = None
        try:
            while self._next is not None:
                batch, self._next = self._next, None
                try:
                    await audit_repo.append_many(batch.events)
                except Exception as exc:  # handed to every request in the batch, which then fails
                    batch.written.set_exception(exc)
                else:
                    batch.written.set_result(None)
        finally:
            self._writing = False
            # only when the loop cancels this task (shutdown): nobody may go on believing their row was written
            for left in (batch, self._next):
                if left is not None and not left.written.done():
                    left.written.set_exception(RuntimeError("audit write interrupted"))
            self._next = None


_group_commit = _GroupCommit()


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
