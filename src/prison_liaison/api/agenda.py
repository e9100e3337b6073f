"""The mentor's "what's next": due and overdue items and appointments of the caller's participants."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from msgspec import Struct

from prison_liaison.api.schemas import ListOf
from prison_liaison.services import plans as service
from prison_liaison.services.context import Caller

Day = date  # for the field named "date"


class AgendaEntryRead(Struct, kw_only=True):
    type: str
    date: Day
    participant_id: UUID
    participant_code: str
    title: str
    due_state: str | None = None
    item_id: UUID | None = None
    appointment_id: UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    agency: str = ""
    place: str = ""


@get("/api/v1/agenda", operation_id="getAgenda", tags=["plans"])
async def agenda(
    caller: NamedDependency[Caller],
    from_: Annotated[date | None, QueryParameter(name="from")] = None,
    to: Annotated[date | None, QueryParameter(name="to")] = None,
) -> ListOf[AgendaEntryRead]:
    """Due items in the range, every overdue item, and appointments in the range, in date order."""
    entries = await service.agenda(caller, from_, to)
    return ListOf(
        items=[
            AgendaEntryRead(
                type=e.type,
                date=e.on,
                participant_id=e.participant_id,
                participant_code=e.participant_code,
                title=e.title,
                due_state=e.due_state,
                item_id=e.item_id,
                appointment_id=e.appointment_id,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                agency=e.agency,
                place=e.place,
            )
            for e in entries
        ]
    )
