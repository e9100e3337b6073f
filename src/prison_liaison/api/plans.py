"""Release-preparation plans: checklist templates, a participant's plan and items, agency appointments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import UNSET, Meta, Struct, UnsetType

from prison_liaison.api.deps import etag, parse_if_match
from prison_liaison.api.schemas import Input, ListOf, changes_of
from prison_liaison.planning.plans import (
    Appointment,
    ChecklistTemplate,
    DueState,
    PlanItem,
    StatusChange,
    TemplateItem,
)
from prison_liaison.services import plans as service
from prison_liaison.services.context import Caller

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]
AnchorValue = Literal["planning_date", "admission", "half_time", "two_thirds", "dependencies"]
ItemStatusValue = Literal["open", "in_progress", "done", "not_needed", "declined", "blocked"]
Title = Annotated[str, Meta(min_length=1, max_length=300)]
Days = Annotated[int, Meta(ge=-3660, le=3660)]
Key = Annotated[str, Meta(min_length=1, max_length=60)]
Text = Annotated[str, Meta(max_length=2000)]


# --- schemas ------------------------------------------------------------------------------------------------


class TemplateItemSchema(Struct, kw_only=True, forbid_unknown_fields=True):
    key: Key
    domain: Annotated[str, Meta(max_length=40)]
    title_de: Title
    title_en: Annotated[str, Meta(max_length=300)] = ""
    owner_role: Annotated[str, Meta(max_length=30)] = "mentor"
    anchor: AnchorValue = "planning_date"
    start_days: Days | None = None
    due_days: Days | None = None
    depends_on: list[Key] = msgspec.field(default_factory=list)
    shared_with_prison: bool = False
    note: Text = ""

    def to_domain(self) -> TemplateItem:
        return msgspec.convert(msgspec.to_builtins(self), TemplateItem)

    @classmethod
    def from_domain(cls, t: TemplateItem) -> TemplateItemSchema:
        return msgspec.convert(msgspec.to_builtins(t), TemplateItemSchema)


class TemplateRead(Struct, kw_only=True):
    key: str
    name: str
    version: int
    active: bool
    items: list[TemplateItemSchema]
    updated_at: datetime | None = None

    @classmethod
    def from_domain(cls, t: ChecklistTemplate) -> TemplateRead:
        return cls(
            key=t.key,
            name=t.name,
            version=t.version,
            active=t.active,
            updated_at=t.updated_at,
            items=[TemplateItemSchema.from_domain(i) for i in t.items],
        )


class TemplateCreate(Input):
    key: Key
    name: Title
    items: Annotated[list[TemplateItemSchema], Meta(max_length=200)]


class TemplateUpdate(Input):
    name: Title | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    items: Annotated[list[TemplateItemSchema], Meta(max_length=200)] | UnsetType = UNSET


class StatusChangeRead(Struct, kw_only=True):
    from_status: str
    to_status: str
    actor_id: UUID | None
    at: datetime
    reason: str

    @classmethod
    def from_domain(cls, c: StatusChange) -> StatusChangeRead:
        return cls(
            from_status=c.from_status, to_status=c.to_status, actor_id=c.actor_id, at=c.at, reason=c.reason
        )


class PlanItemRead(Struct, kw_only=True):
    id: UUID
    participant_id: UUID
    item_key: str
    template_key: str
    template_version: int | None
    domain: str
    title_de: str
    title_en: str
    owner_role: str
    anchor: str
    start_offset_days: int | None
    due_offset_days: int | None
    earliest_start: date | None
    latest_due: date | None
    dates_set_by_hand: bool
    depends_on: list[UUID]
    status: str
    status_by: UUID | None
    status_at: datetime | None
    status_reason: str
    shared_with_prison: bool
    position: int
    due_state: str
    version: int
    notes: str | None = None
    history: list[StatusChangeRead] = msgspec.field(default_factory=list)

    @classmethod
    def from_domain(
        cls, i: PlanItem, state: DueState, history: list[StatusChange] | None = None, *, notes: bool = True
    ) -> PlanItemRead:
        return cls(
            id=i.id,
            participant_id=i.participant_id,
            item_key=i.item_key,
            template_key=i.template_key,
            template_version=i.template_version,
            domain=i.domain,
            title_de=i.title_de,
            title_en=i.title_en,
            owner_role=i.owner_role,
            anchor=i.anchor.value,
            start_offset_days=i.start_offset_days,
            due_offset_days=i.due_offset_days,
            earliest_start=i.earliest_start,
            latest_due=i.latest_due,
            dates_set_by_hand=i.dates_set_by_hand,
            depends_on=list(i.depends_on),
            status=i.status.value,
            status_by=i.status_by,
            status_at=i.status_at,
            status_reason=i.status_reason,
            shared_with_prison=i.shared_with_prison,
            position=i.position,
            due_state=state.value,
            version=i.version,
            notes=i.notes if notes else None,
            history=[StatusChangeRead.from_domain(c) for c in history or []],
        )


class AppointmentRead(Struct, kw_only=True):
    id: UUID
    participant_id: UUID
    plan_item_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    agency: str
    place: str
    contact: str
    what_to_bring: str
    status: str
    sequence: int
    shared_with_prison: bool
    version: int
    warnings: list[str] = msgspec.field(default_factory=list)

    @classmethod
    def from_domain(cls, a: Appointment) -> AppointmentRead:
        return cls(
            id=a.id,
            participant_id=a.participant_id,
            plan_item_id=a.plan_item_id,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            agency=a.agency,
            place=a.place,
            contact=a.contact,
            what_to_bring=a.what_to_bring,
            status=a.status,
            sequence=a.sequence,
            shared_with_prison=a.shared_with_prison,
            version=a.version,
            warnings=list(a.warnings),
        )


class PlanRead(Struct, kw_only=True):
    participant_id: UUID
    participant_code: str
    planning_date: date | None
    case_closed: bool
    today: date
    counts: dict[str, int]
    items: list[PlanItemRead]
    appointments: list[AppointmentRead]

    @classmethod
    def from_domain(cls, p: service.Plan, *, notes: bool = True) -> PlanRead:
        counts = {s.value: 0 for s in DueState}
        for state in p.due.values():
            counts[state.value] += 1
        return cls(
            participant_id=p.participant_id,
            participant_code=p.participant_code,
            planning_date=p.planning_date,
            case_closed=p.case_closed,
            today=p.today,
            counts=counts,
            items=[
                PlanItemRead.from_domain(i, p.due[i.id], p.history.get(i.id), notes=notes) for i in p.items
            ],
            appointments=[AppointmentRead.from_domain(a) for a in p.appointments],
        )


class PlanCreate(Input):
    template_key: Key = "default"


class PlanItemCreate(Input):
    domain: Annotated[str, Meta(max_length=40)]
    title_de: Title
    title_en: Annotated[str, Meta(max_length=300)] = ""
    owner_role: Annotated[str, Meta(max_length=30)] = "mentor"
    anchor: AnchorValue = "planning_date"
    start_offset_days: Days | None = None
    due_offset_days: Days | None = None
    earliest_start: date | None = None
    latest_due: date | None = None
    depends_on: Annotated[list[UUID], Meta(max_length=50)] = msgspec.field(default_factory=list)
    shared_with_prison: bool = False
    notes: Text = ""


class PlanItemUpdate(Input):
    domain: Annotated[str, Meta(max_length=40)] | UnsetType = UNSET
    title_de: Title | UnsetType = UNSET
    title_en: Annotated[str, Meta(max_length=300)] | UnsetType = UNSET
    owner_role: Annotated[str, Meta(max_length=30)] | UnsetType = UNSET
    anchor: AnchorValue | UnsetType = UNSET
    start_offset_days: Days | UnsetType | None = UNSET
    due_offset_days: Days | UnsetType | None = UNSET
    earliest_start: date | UnsetType | None = UNSET
    latest_due: date | UnsetType | None = UNSET
    dates_set_by_hand: bool | UnsetType = UNSET
    depends_on: Annotated[list[UUID], Meta(max_length=50)] | UnsetType = UNSET
    shared_with_prison: bool | UnsetType = UNSET
    position: Annotated[int, Meta(ge=0, le=100_000)] | UnsetType = UNSET
    notes: Text | UnsetType = UNSET
    status: ItemStatusValue | UnsetType = UNSET
    status_reason: Text | UnsetType = UNSET


class AppointmentCreate(Input):
    starts_at: datetime
    ends_at: datetime
    agency: Annotated[str, Meta(min_length=1, max_length=200)]
    place: Text = ""
    contact: Text = ""
    what_to_bring: Text = ""
    plan_item_id: UUID | None = None
    status: Literal["planned", "confirmed", "done", "cancelled"] = "planned"
    shared_with_prison: bool = True


class AppointmentUpdate(Input):
    starts_at: datetime | UnsetType = UNSET
    ends_at: datetime | UnsetType = UNSET
    agency: Annotated[str, Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    place: Text | UnsetType = UNSET
    contact: Text | UnsetType = UNSET
    what_to_bring: Text | UnsetType = UNSET
    plan_item_id: UUID | UnsetType | None = UNSET
    status: Literal["planned", "confirmed", "done", "cancelled"] | UnsetType = UNSET
    shared_with_prison: bool | UnsetType = UNSET


def _item_response(
    caller: Caller,
    item: PlanItem,
    state: DueState,
    history: list[StatusChange] | None = None,
    status: int = 200,
) -> Response[PlanItemRead]:
    read = PlanItemRead.from_domain(item, state, history, notes=not caller.is_prison_staff)
    return Response(read, status_code=status, headers={"ETag": etag(item.version)})


def _appointment_response(a: Appointment, status: int = 200) -> Response[AppointmentRead]:
    return Response(AppointmentRead.from_domain(a), status_code=status, headers={"ETag": etag(a.version)})


# --- controllers --------------------------------------------------------------------------------------------


class TemplateController(Controller):
    path = "/api/v1/checklist-templates"
    tags = ["plans"]

    @get("/", operation_id="listChecklistTemplates")
    async def list_templates(self, caller: NamedDependency[Caller]) -> ListOf[TemplateRead]:
        """Checklist templates (the default one is seeded on first use)."""
        return ListOf(items=[TemplateRead.from_domain(t) for t in await service.list_templates(caller)])

    @post("/", operation_id="createChecklistTemplate", status_code=201)
    async def create_template(
        self, data: JSONBody[TemplateCreate], caller: NamedDependency[Caller]
    ) -> Response[TemplateRead]:
        """Add a template (coordinators); dependency cycles are refused."""
        t = await service.create_template(caller, data.key, data.name, [i.to_domain() for i in data.items])
        return Response(TemplateRead.from_domain(t), status_code=201, headers={"ETag": etag(t.version)})

    @get("/{key:str}", operation_id="getChecklistTemplate")
    async def get_template(
        self, key: FromPath[str], caller: NamedDependency[Caller]
    ) -> Response[TemplateRead]:
        """One template with its item definitions."""
        t = await service.get_template(caller, key)
        return Response(TemplateRead.from_domain(t), headers={"ETag": etag(t.version)})

    @patch("/{key:str}", operation_id="updateChecklistTemplate")
    async def update_template(
        self,
        key: FromPath[str],
        data: JSONBody[TemplateUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[TemplateRead]:
        """Edit a template (coordinators, If-Match); plans created before keep their items."""
        changes = changes_of(data)
        if "items" in changes:
            changes["items"] = [i.to_domain() for i in changes["items"]]
        t = await service.update_template(caller, key, changes, expected_version=parse_if_match(if_match))
        return Response(TemplateRead.from_domain(t), headers={"ETag": etag(t.version)})


class ParticipantPlanController(Controller):
    path = "/api/v1/participants/{participant_id:uuid}"
    tags = ["plans"]

    @get("/plan", operation_id="getPlan")
    async def get_plan(self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]) -> PlanRead:
        """The plan with windows, status, due state and appointments (prison staff: shared items only)."""
        plan = await service.get_plan(caller, participant_id)
        return PlanRead.from_domain(plan, notes=not caller.is_prison_staff)

    @post("/plan", operation_id="createPlan", status_code=201)
    async def create_plan(
        self, participant_id: FromPath[UUID], data: JSONBody[PlanCreate], caller: NamedDependency[Caller]
    ) -> PlanRead:
        """Create the plan from a template (409 if there is one already)."""
        return PlanRead.from_domain(await service.create_plan(caller, participant_id, data.template_key))

    @post("/plan-items", operation_id="addPlanItem", status_code=201)
    async def add_item(
        self, participant_id: FromPath[UUID], data: JSONBody[PlanItemCreate], caller: NamedDependency[Caller]
    ) -> Response[PlanItemRead]:
        """Add an item; given dates are kept by hand, otherwise the window derives from the offsets."""
        values = changes_of(data)
        for name in ("earliest_start", "latest_due"):
            if values.get(name) is None:
                values.pop(name, None)
        item, state, history = await service.add_item(caller, participant_id, values)
        return _item_response(caller, item, state, history, status=201)

    @get("/appointments", operation_id="listAppointments")
    async def list_appointments(
        self, participant_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> ListOf[AppointmentRead]:
        """The participant's agency appointments, in time order."""
        items = await service.list_appointments(caller, participant_id)
        return ListOf(items=[AppointmentRead.from_domain(a) for a in items])

    @post("/appointments", operation_id="createAppointment", status_code=201)
    async def create_appointment(
        self,
        participant_id: FromPath[UUID],
        data: JSONBody[AppointmentCreate],
        caller: NamedDependency[Caller],
    ) -> Response[AppointmentRead]:
        """Book an agency appointment (optionally linked to a plan item)."""
        return _appointment_response(
            await service.create_appointment(caller, participant_id, changes_of(data)), 201
        )


class PlanItemController(Controller):
    path = "/api/v1/plan-items"
    tags = ["plans"]

    @get("/{item_id:uuid}", operation_id="getPlanItem")
    async def get_item(
        self, item_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> Response[PlanItemRead]:
        """One item with its status history."""
        item, state, history = await service.get_item(caller, item_id)
        return _item_response(caller, item, state, history)

    @patch("/{item_id:uuid}", operation_id="updatePlanItem")
    async def update_item(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[PlanItemUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[PlanItemRead]:
        """Edit, re-date or set the status (done needs its dependencies; declined/not_needed a reason)."""
        version = parse_if_match(if_match)
        item, state, history = await service.update_item(
            caller, item_id, changes_of(data), expected_version=version
        )
        return _item_response(caller, item, state, history)

    @delete("/{item_id:uuid}", operation_id="deletePlanItem", status_code=204)
    async def delete_item(
        self, item_id: FromPath[UUID], caller: NamedDependency[Caller], if_match: IfMatch = None
    ) -> None:
        """Remove an item (409 while other items depend on it)."""
        await service.delete_item(caller, item_id, expected_version=parse_if_match(if_match))


class AppointmentController(Controller):
    path = "/api/v1/appointments"
    tags = ["plans"]

    @get("/{appointment_id:uuid}", operation_id="getAppointment")
    async def get_appointment(
        self, appointment_id: FromPath[UUID], caller: NamedDependency[Caller]
    ) -> Response[AppointmentRead]:
        """One agency appointment."""
        return _appointment_response(await service.get_appointment(caller, appointment_id))

    @patch("/{appointment_id:uuid}", operation_id="updateAppointment")
    async def update_appointment(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[AppointmentUpdate],
        caller: NamedDependency[Caller],
        if_match: IfMatch = None,
    ) -> Response[AppointmentRead]:
        """Change an appointment (If-Match); new time, place or status bump its calendar sequence."""
        updated = await service.update_appointment(
            caller, appointment_id, changes_of(data), expected_version=parse_if_match(if_match)
        )
        return _appointment_response(updated)

    @delete("/{appointment_id:uuid}", operation_id="deleteAppointment", status_code=204)
    async def delete_appointment(
        self, appointment_id: FromPath[UUID], caller: NamedDependency[Caller], if_match: IfMatch = None
    ) -> None:
        """Delete an appointment (prefer status "cancelled" so calendars see the cancellation)."""
        version = parse_if_match(if_match) if if_match else None
        await service.delete_appointment(caller, appointment_id, expected_version=version)
