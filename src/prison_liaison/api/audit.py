"""The audit log, a participant's access history and the subject-access export, for coordinators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from prison_liaison.api.schemas import AuditEventRead, ListOf
from prison_liaison.services import audit as audit_service
from prison_liaison.services import retention as retention_service
from prison_liaison.services.context import Caller


class AuditController(Controller):
    path = "/api/v1/audit-events"
    tags = ["audit"]

    @get("/", operation_id="listAuditEvents")
    async def list_events(
        self,
        caller: NamedDependency[Caller],
        participant_id: FromQuery[UUID | None] = None,
        actor_id: FromQuery[UUID | None] = None,
        action: Annotated[str | None, QueryParameter(max_length=60)] = None,
        subject_id: Annotated[str | None, QueryParameter(max_length=60)] = None,
        since: Annotated[datetime | None, QueryParameter(name="from")] = None,
        until: Annotated[datetime | None, QueryParameter(name="to")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        cursor: FromQuery[str | None] = None,
    ) -> ListOf[AuditEventRead]:
        """Audit events, newest first, filtered by participant, actor, action prefix, subject and time."""
        events, next_cursor = await audit_service.query_events(
            caller, participant_id=participant_id, actor_id=actor_id, action=action, subject_id=subject_id,
            since=since, until=until, limit=limit, cursor=cursor,
        )
        return ListOf(items=[AuditEventRead(**e) for e in events], next_cursor=next_cursor)


class ParticipantRecordsController(Controller):
    path = "/api/v1/participants/{participant_id:uuid}"
    tags = ["audit"]

    @get("/access-history", operation_id="getAccessHistory")
    async def access_history(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> ListOf[AuditEventRead]:
        """Every audit event about one participant, oldest first (coordinators; audited)."""
        events = await audit_service.access_history(caller, participant_id)
        return ListOf(items=[AuditEventRead(**e) for e in events])

    @get("/export", operation_id="exportParticipant")
    async def export(self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]) -> dict[str, Any]:
        """Subject access: everything stored about one participant, decrypted, with its access history."""
        return await retention_service.export_participant(caller, participant_id)
