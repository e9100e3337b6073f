"""Participants: only those the caller may see; anything else is 404."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from prison_liaison.api.deps import etag, parse_if_match
from prison_liaison.api.schemas import (
    ListOf,
    MentorHistoryRead,
    MentorsSet,
    ParticipantCreate,
    ParticipantRead,
    ParticipantUpdate,
    StatusValue,
    changes_of,
)
from prison_liaison.planning.models import Participant, Role
from prison_liaison.services import participants as participants_service
from prison_liaison.services.context import Caller

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]


def read(p: Participant, caller: Caller) -> ParticipantRead:
    return ParticipantRead.from_domain(p, full=caller.role != Role.PRISON_STAFF)


def _with_etag(p: ParticipantRead, status: int = 200) -> Response[ParticipantRead]:
    return Response(p, status_code=status, headers={"ETag": etag(p.version)})


class ParticipantController(Controller):
    path = "/api/v1/participants"
    tags = ["participants"]

    @get("/", operation_id="listParticipants")
    async def list_participants(
        self,
        caller: NamedDependency[Caller],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
        status: FromQuery[list[StatusValue] | None] = None,
        prison_id: FromQuery[UUID | None] = None,
        mentor_id: FromQuery[UUID | None] = None,
        code: Annotated[str | None, QueryParameter(max_length=40)] = None,
        order: FromQuery[Literal["code", "planning_date"]] = "code",
    ) -> ListOf[ParticipantRead]:
        """Participants the caller may see, filtered, by code or by time to release."""
        items, next_cursor = await participants_service.list_participants(
            caller, limit=limit, cursor=cursor, status=list(status) if status else None, prison_id=prison_id,
            mentor_id=mentor_id, code_prefix=code, order=order,
        )
        return ListOf(items=[read(p, caller) for p in items], next_cursor=next_cursor)

    @post("/", operation_id="createParticipant", status_code=201)
    async def create_participant(
        self, data: JSONBody[ParticipantCreate], caller: NamedDependency[Caller]
    ) -> Response[ParticipantRead]:
        """Register a participant (coordinators)."""
        participant = await participants_service.create_participant(caller, changes_of(data))
        return _with_etag(read(participant, caller), 201)

    @get("/{participant_id:uuid}", operation_id="getParticipant")
    async def get_participant(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> Response[ParticipantRead]:
        """One participant (the read is audited)."""
        return _with_etag(read(await participants_service.get_participant(caller, participant_id), caller))

    @patch("/{participant_id:uuid}", operation_id="updateParticipant")
    async def update_participant(
        self,
        participant_id: FromPath[UUID],
        data: JSONBody[ParticipantUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[ParticipantRead]:
        """Change a participant; needs If-Match (stale → 412, nothing written)."""
        version = parse_if_match(if_match)
        participant = await participants_service.update_participant(
            caller, participant_id, changes_of(data), expected_version=version
        )
        return _with_etag(read(participant, caller))

    @delete("/{participant_id:uuid}", operation_id="archiveParticipant", status_code=204)
    async def archive_participant(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller], if_match: IfMatch = None
    ) -> None:
        """Archive a case (coordinators): it leaves lists and feeds; `purge` deletes it after retention."""
        version = parse_if_match(if_match) if if_match else None
        await participants_service.archive_participant(caller, participant_id, expected_version=version)

    @put("/{participant_id:uuid}/mentors", operation_id="setMentors")
    async def set_mentors(
        self, participant_id: FromPath[UUID], data: JSONBody[MentorsSet], caller: NamedDependency[Caller]
    ) -> Response[ParticipantRead]:
        """Assign the lead and co-mentor (coordinators); earlier assignments stay in the history."""
        participant = await participants_service.set_mentors(caller, participant_id, data.lead_id, data.co_id)
        return _with_etag(read(participant, caller))

    @get("/{participant_id:uuid}/mentors/history", operation_id="getMentorHistory")
    async def mentor_history(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> ListOf[MentorHistoryRead]:
        """Who mentored this participant, from when to when."""
        rows = await participants_service.mentor_history(caller, participant_id)
        return ListOf(
            items=[
                MentorHistoryRead(id=m.mentor_id, role=m.role.value, display_name=m.display_name,
                                  valid_from=m.valid_from, valid_to=m.valid_to)
                for m in rows
            ]
        )
