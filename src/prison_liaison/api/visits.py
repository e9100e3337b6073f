"""Prison visits: list, book, move, lifecycle, review; the slot finder and a prison's day list."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from prison_liaison.api.deps import etag, parse_if_match
from prison_liaison.api.schemas import ListOf, changes_of
from prison_liaison.api.visit_schemas import (
    CadenceRead,
    PrisonDayEntry,
    PrisonDayRead,
    RefusedOccurrence,
    SeriesCreate,
    SeriesRead,
    SlotRead,
    VisitCancel,
    VisitComplete,
    VisitConfirm,
    VisitCreate,
    VisitKeep,
    VisitNoShow,
    VisitRead,
    VisitRequest,
    VisitStatusValue,
    VisitUpdate,
)
from prison_liaison.planning.models import Role
from prison_liaison.planning.visits import Visit
from prison_liaison.services import visits as visits_service
from prison_liaison.services.context import Caller

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]
FromDate = Annotated[date | None, QueryParameter(name="from")]
ToDate = Annotated[date | None, QueryParameter(name="to")]


def _one(visit: Visit, status: int = 200) -> Response[VisitRead]:
    return Response(VisitRead.from_domain(visit), status_code=status, headers={"ETag": etag(visit.version)})


def _version(if_match: str | None) -> int | None:
    """Lifecycle steps take If-Match when given (412 if stale); PATCH requires it."""
    return parse_if_match(if_match) if if_match else None


class VisitController(Controller):
    path = "/api/v1/visits"
    tags = ["visits"]

    @get("/", operation_id="listVisits")
    async def list_visits(
        self,
        *,
        caller: NamedDependency[Caller],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
        participant_id: FromQuery[UUID | None] = None,
        prison_id: FromQuery[UUID | None] = None,
        mentor_id: FromQuery[UUID | None] = None,
        start: FromDate = None,
        end: ToDate = None,
        status: FromQuery[list[VisitStatusValue] | None] = None,
    ) -> ListOf[VisitRead]:
        """Visits of the participants the caller may see, by start time; `from`/`to` are inclusive dates."""
        items, next_cursor = await visits_service.list_visits(
            caller,
            limit=limit,
            cursor=cursor,
            participant_id=participant_id,
            prison_id=prison_id,
            mentor_id=mentor_id,
            start=start,
            end=end,
            statuses=list(status) if status else None,
        )
        return ListOf(items=[VisitRead.from_domain(v) for v in items], next_cursor=next_cursor)

    @post("/", operation_id="createVisit", status_code=201)
    async def create_visit(
        self, data: JSONBody[VisitCreate], caller: NamedDependency[Caller]
    ) -> Response[VisitRead]:
        """Plan a visit; a broken rule answers 409 with the rule's code and the conflicting object."""
        visit = await visits_service.create_visit(
            caller,
            participant_id=data.participant_id,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            mentor_ids=data.mentor_ids,
            kind=data.kind,
            room=data.room,
            location=data.location,
            lead_time_override_reason=data.lead_time_override_reason,
        )
        return _one(visit, 201)

    @post("/series", operation_id="createVisitSeries", status_code=201)
    async def create_series(
        self, data: JSONBody[SeriesCreate], caller: NamedDependency[Caller]
    ) -> SeriesRead:
        """Plan a recurring series; the answer lists created and refused occurrences with the rule broken."""
        outcome = await visits_service.create_series(
            caller,
            participant_id=data.participant_id,
            first_date=data.first_date,
            start_time=data.start_time,
            minutes=data.minutes,
            every_weeks=data.every_weeks,
            until=data.until,
            mentor_ids=data.mentor_ids,
            kind=data.kind,
            room=data.room,
        )
        return SeriesRead(
            series_id=outcome.series_id,
            created=[VisitRead.from_domain(v) for v in outcome.created],
            refused=[RefusedOccurrence.from_domain(s, v) for s, v in outcome.refused],
        )

    @get("/cadence", operation_id="listVisitCadence")
    async def cadence(
        self, caller: NamedDependency[Caller], overdue: FromQuery[bool] = False
    ) -> ListOf[CadenceRead]:
        """The caller's participants with last visit, next due date and overdue flag."""
        entries = await visits_service.cadence(caller, overdue_only=overdue)
        return ListOf(
            items=[
                CadenceRead(
                    participant_id=e.participant_id,
                    code=e.code,
                    initials=e.initials,
                    cadence_days=e.state.cadence_days,
                    last_visit_on=e.state.last_visit_on,
                    next_planned_on=e.state.next_planned_on,
                    next_due_on=e.state.next_due_on,
                    is_overdue=e.state.is_overdue,
                    days_overdue=e.state.days_overdue,
                )
                for e in entries
            ]
        )

    @get("/review", operation_id="listVisitsForReview")
    async def review(
        self, caller: NamedDependency[Caller], limit: Limit = 50, cursor: FromQuery[str | None] = None
    ) -> ListOf[VisitRead]:
        """Future visits flagged after a transfer or release: move, cancel or keep each."""
        items, next_cursor = await visits_service.review_list(caller, limit=limit, cursor=cursor)
        return ListOf(items=[VisitRead.from_domain(v) for v in items], next_cursor=next_cursor)

    @get("/{visit_id:uuid}", operation_id="getVisit")
    async def get_visit(
        self, visit_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> Response[VisitRead]:
        """One visit with its status history."""
        visit, history = await visits_service.get_visit(caller, visit_id)
        return Response(VisitRead.from_domain(visit, history), headers={"ETag": etag(visit.version)})

    @patch("/{visit_id:uuid}", operation_id="updateVisit")
    async def update_visit(
        self,
        visit_id: FromPath[UUID],
        data: JSONBody[VisitUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[VisitRead]:
        """Move or edit a visit (needs If-Match); it keeps its id and its revision goes up."""
        version = parse_if_match(if_match)
        visit = await visits_service.update_visit(
            caller, visit_id, changes_of(data), expected_version=version
        )
        return _one(visit)

    @post("/{visit_id:uuid}/request", operation_id="requestVisit", status_code=200)
    async def request_visit(
        self,
        visit_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        data: JSONBody[VisitRequest | None] = None,
        if_match: IfMatch = None,
    ) -> Response[VisitRead]:
        """Record that the visit was asked for at the prison (lead time is checked from today)."""
        visit = await visits_service.request_visit(
            caller,
            visit_id,
            expected_version=_version(if_match),
            lead_time_override_reason=data.lead_time_override_reason if data else None,
        )
        return _one(visit)

    @post("/{visit_id:uuid}/confirm", operation_id="confirmVisit", status_code=200)
    async def confirm_visit(
        self,
        visit_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        data: JSONBody[VisitConfirm | None] = None,
        if_match: IfMatch = None,
    ) -> Response[VisitRead]:
        """Record that the prison agreed to the visit (optionally with the room)."""
        visit = await visits_service.confirm_visit(
            caller, visit_id, expected_version=_version(if_match), room=data.room if data else None
        )
        return _one(visit)

    @post("/{visit_id:uuid}/complete", operation_id="completeVisit", status_code=200)
    async def complete_visit(
        self,
        visit_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        data: JSONBody[VisitComplete | None] = None,
        if_match: IfMatch = None,
    ) -> Response[VisitRead]:
        """Record that the visit took place, with attendance per mentor."""
        attendance = {a.mentor_id: a.attended for a in data.attendance} if data else None
        visit = await visits_service.complete_visit(
            caller,
            visit_id,
            attendance=attendance,
            expected_version=_version(if_match),
            note=data.note if data else "",
        )
        return _one(visit)

    @post("/{visit_id:uuid}/no_show", operation_id="recordVisitNoShow", status_code=200)
    async def no_show(
        self,
        visit_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        data: JSONBody[VisitNoShow | None] = None,
        if_match: IfMatch = None,
    ) -> Response[VisitRead]:
        """Record that the participant did not come."""
        visit = await visits_service.no_show_visit(
            caller, visit_id, expected_version=_version(if_match), note=data.note if data else ""
        )
        return _one(visit)

    @post("/{visit_id:uuid}/cancel", operation_id="cancelVisit", status_code=200)
    async def cancel_visit(
        self,
        visit_id: FromPath[UUID],
        data: JSONBody[VisitCancel],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[VisitRead]:
        """Cancel with a reason code and who cancelled; the visit stays on record."""
        visit = await visits_service.cancel_visit(
            caller,
            visit_id,
            reason=data.reason,
            cancelled_by=data.cancelled_by,
            note=data.note,
            expected_version=_version(if_match),
        )
        return _one(visit)

    @post("/{visit_id:uuid}/keep", operation_id="keepVisit", status_code=200)
    async def keep_visit(
        self, visit_id: FromPath[UUID], data: JSONBody[VisitKeep], caller: NamedDependency[Caller]
    ) -> Response[VisitRead]:
        """Resolve a review by keeping the visit, saying why."""
        return _one(await visits_service.keep_visit(caller, visit_id, reason=data.reason))


@get("/api/v1/participants/{participant_id:uuid}/visit-slots", operation_id="findVisitSlots", tags=["visits"])
async def find_visit_slots(
    *,
    participant_id: FromPath[UUID],
    caller: NamedDependency[Caller],
    minutes: Annotated[int, QueryParameter(ge=15, le=480)] = 60,
    start: FromDate = None,
    end: ToDate = None,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 20,
) -> list[SlotRead]:
    """Feasible visit slots for the participant and both mentors, earliest first (every one is bookable)."""
    slots = await visits_service.find_slots(
        caller, participant_id, start=start, end=end, minutes=minutes, limit=limit
    )
    return [SlotRead.from_domain(s) for s in slots]


@get("/api/v1/prisons/{prison_id:uuid}/visits", operation_id="listPrisonDayVisits", tags=["visits"])
async def prison_day_visits(
    prison_id: FromPath[UUID],
    caller: NamedDependency[Caller],
    day: Annotated[date, QueryParameter(name="date")],
) -> PrisonDayRead:
    """A prison's visits on one day (prison staff: confirmed visits, code, mentors' names, times, room)."""
    prison, visits = await visits_service.prison_day(caller, prison_id, day)
    full = caller.role != Role.PRISON_STAFF
    return PrisonDayRead(
        prison_id=prison.id,
        prison_code=prison.code,
        date=day,
        timezone=prison.timezone,
        items=[
            PrisonDayEntry(
                participant_code=v.participant_code,
                starts_at=v.starts_at,
                ends_at=v.ends_at,
                mentor_names=[a.display_name for a in v.attendees],
                room=v.room,
                id=v.id if full else None,
                status=v.status.value if full else None,
                kind=v.kind if full else None,
            )
            for v in visits
        ],
    )
