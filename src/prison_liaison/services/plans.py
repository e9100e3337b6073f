"""Release-preparation plans: templates, a participant's plan, items with status history, appointments."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any
from uuid import UUID, uuid4

import msgspec

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import plans as repo
from prison_liaison.persistence import release_dates as ledger_repo
from prison_liaison.planning import plans as rules
from prison_liaison.planning.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from prison_liaison.planning.models import CLOSED_STATUSES, Participant, ParticipantScope, ParticipantStatus, Role
from prison_liaison.planning.offsets import Anchor
from prison_liaison.planning.plans import (
    Appointment,
    ChecklistTemplate,
    DueState,
    ItemStatus,
    PlanItem,
    StatusChange,
    TemplateItem,
)
from prison_liaison.planning.release_dates import best_date, parse_date
from prison_liaison.services import access, audit
from prison_liaison.services import shares as shares_service
from prison_liaison.services.context import Caller
from prison_liaison.services.security import decrypt_text, encrypt_text

DEFAULT_TEMPLATE_KEY = "default"


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    participant_code: str
    planning_date: date | None
    case_closed: bool
    items: list[PlanItem]
    due: dict[UUID, DueState]
    history: dict[UUID, list[StatusChange]]
    appointments: list[Appointment]
    today: date


# --- templates ----------------------------------------------------------------------------------------------


def default_template() -> tuple[str, tuple[TemplateItem, ...]]:
    """The shipped default (German with English titles), from package data."""
    raw = json.loads(resources.files("prison_liaison.data").joinpath("checklist_default.json").read_text("utf-8"))
    return raw["name"], rules.check_template(msgspec.convert(raw["items"], list[TemplateItem]))


async def ensure_default_template() -> None:
    """Seed the default template on first use. Call inside a transaction."""
    if await repo.get_template(DEFAULT_TEMPLATE_KEY) is None:
        name, items = default_template()
        await repo.insert_template(DEFAULT_TEMPLATE_KEY, name, items, clock.now())


async def list_templates(caller: Caller) -> list[ChecklistTemplate]:
    access.require_role(caller, Role.COORDINATOR, Role.MENTOR)
    async with db.transaction():
        await ensure_default_template()
    return await repo.list_templates()


async def get_template(caller: Caller, key: str) -> ChecklistTemplate:
    access.require_role(caller, Role.COORDINATOR, Role.MENTOR)
    if key == DEFAULT_TEMPLATE_KEY:
        async with db.transaction():
            await ensure_default_template()
    template = await repo.get_template(key)
    if template is None:
        raise NotFound("no such template")
    return template


async def create_template(caller: Caller, key: str, name: str, items: list[TemplateItem]) -> ChecklistTemplate:
    access.require_role(caller, Role.COORDINATOR)
    if not rules.KEY_RE.match(key):
        raise ValidationFailed("key: lowercase letters, digits and '_'", field="key")
    checked = rules.check_template(items)
    async with db.transaction():
        await ensure_default_template()
        if await repo.get_template(key) is not None:
            raise Conflict(f"template {key!r} exists", code="duplicate_key", field="key")
        await repo.insert_template(key, name, checked, clock.now())
        await audit.record(caller, "template.created", subject_type="checklist_template", subject_id=key)
    return await get_template(caller, key)


async def update_template(
    caller: Caller, key: str, changes: dict[str, Any], *, expected_version: int
) -> ChecklistTemplate:
    """Coordinators edit a template; the version goes up; plans made before keep what they were made from."""
    access.require_role(caller, Role.COORDINATOR)
    values: dict[str, Any] = {}
    if "items" in changes:
        values["items"] = rules.check_template(changes["items"])
    for name in ("name", "active"):
        if name in changes:
            values[name] = changes[name]
    async with db.transaction():
        await ensure_default_template()
        template = await repo.get_template(key)
        if template is None or template.id is None:
            raise NotFound("no such template")
        await repo.update_template(template.id, values, expected_version=expected_version, now=clock.now())
        await audit.record(
            caller,
            "template.updated",
            subject_type="checklist_template",
            subject_id=key,
            fields=sorted(values),
            from_version=template.version,
        )
    return await get_template(caller, key)


# --- a participant's plan -----------------------------------------------------------------------------------


async def _anchors(participant: Participant) -> dict[str, date | None]:
    entries = await ledger_repo.list_entries(participant.id)
    return {
        Anchor.PLANNING_DATE.value: participant.planning_date,
        Anchor.ADMISSION.value: participant.admitted_on,
        Anchor.HALF_TIME.value: best_date(entries, "half_time"),
        Anchor.TWO_THIRDS.value: best_date(entries, "two_thirds"),
    }


def _visible(caller: Caller, item: PlanItem, shared: set[str] | None) -> bool:
    """Prison staff see an item only if it is flagged for the prison and its domain is in an active share."""
    if caller.role != Role.PRISON_STAFF:
        return True
    return (
        item.shared_with_prison
        and item.domain not in rules.NEVER_SHARED_DOMAINS
        and shares_service.is_visible_domain(item.domain, shared if shared is not None else set())
    )


def _for_caller(caller: Caller, item: PlanItem) -> PlanItem:
    if caller.role == Role.PRISON_STAFF:
        # no free-text notes and no deradicalisation work for prison staff
        return msgspec.structs.replace(item, notes="")
    return msgspec.structs.replace(item, notes=decrypt_text(item.notes))


async def _plan(caller: Caller, participant: Participant) -> Plan:
    today = clock.today()
    shared = await shares_service.shared_domains(caller, participant.id)
    items = [i for i in await repo.list_items(participant.id) if _visible(caller, i, shared)]
    appointments = await repo.list_appointments(participant.id)
    if caller.role == Role.PRISON_STAFF:
        visible_ids = {i.id for i in items}
        appointments = [
            a
            for a in appointments
            if a.shared_with_prison and (a.plan_item_id is None or a.plan_item_id in visible_ids)
        ]
    history = await repo.status_history([i.id for i in items])
    return Plan(
        participant_id=participant.id,
        participant_code=participant.code,
        planning_date=participant.planning_date,
        case_closed=participant.is_closed,
        items=[_for_caller(caller, i) for i in items],
        due={i.id: rules.due_state(i, today=today, case_closed=participant.is_closed) for i in items},
        history=dict(history),
        appointments=[_warned(a, participant.planning_date) for a in appointments],
        today=today,
    )


async def get_plan(caller: Caller, participant_id: UUID) -> Plan:
    participant, _ = await access.load_participant(caller, participant_id)
    plan = await _plan(caller, participant)
    await audit.record(
        caller,
        "plan.read",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
    )
    return plan


async def create_plan(caller: Caller, participant_id: UUID, template_key: str = DEFAULT_TEMPLATE_KEY) -> Plan:
    """Instantiate a template for a participant whose plan is still empty."""
    now = clock.now()
    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        await ensure_default_template()
        template = await repo.get_template(template_key)
        if template is None or not template.active:
            raise ValidationFailed("no such active template", field="template_key")
        await repo.lock_plan(participant_id)
        if await repo.has_items(participant_id):
            raise Conflict("this participant has a plan already; add items to it instead", code="plan_exists")
        anchors = await _anchors(participant)
        land = await repo.participant_land(participant_id)
        ids = {t.key: uuid4() for t in template.items}
        items = []
        for position, t in enumerate(template.items):
            items.append(
                PlanItem(
                    id=ids[t.key],
                    participant_id=participant_id,
                    domain=t.domain,
                    title_de=t.title_de,
                    title_en=t.title_en,
                    item_key=t.key,
                    template_key=template.key,
                    template_version=template.version,
                    owner_role=t.owner_role,
                    anchor=t.anchor,
                    start_offset_days=t.start_days,
                    due_offset_days=t.due_days,
                    depends_on=tuple(ids[d] for d in t.depends_on),
                    shared_with_prison=t.shared_with_prison,
                    position=(position + 1) * 10,
                    notes=encrypt_text(t.note) if t.note else "",
                )
            )
        placed = rules.place(items, anchors, land)
        items = [placed[i.id] for i in items]
        await repo.insert_items(items, now)
        await audit.record(
            caller,
            "plan.created",
            subject_type="participant",
            subject_id=participant_id,
            participant_id=participant_id,
            template=template.key,
            template_version=template.version,
            items=len(items),
        )
        plan = await _plan(caller, participant)
    return plan


def _check_item_fields(values: dict[str, Any]) -> None:
    if "domain" in values and values["domain"] not in rules.DOMAINS:
        raise ValidationFailed(f"unknown domain; use one of {', '.join(rules.DOMAINS)}", field="domain")
    if "owner_role" in values and values["owner_role"] not in rules.OWNER_ROLES:
        raise ValidationFailed(f"unknown owner role; use one of {', '.join(rules.OWNER_ROLES)}", field="owner_role")
    if "title_de" in values and not str(values["title_de"]).strip():
        raise ValidationFailed("a German title is required", field="title_de")


async def _load_item(caller: Caller, item_id: UUID, *, write: bool) -> tuple[Participant, PlanItem]:
    item = await repo.get_item(item_id)
    if item is None:
        raise NotFound("plan item not found")
    try:
        participant, _ = await access.load_participant(caller, item.participant_id)
    except NotFound:
        raise NotFound("plan item not found") from None  # not yours reads exactly like does not exist
    if not _visible(caller, item, await shares_service.shared_domains(caller, participant.id)):
        raise NotFound("plan item not found")
    if write:
        access.require_case_write(caller)  # only now: a write to a hidden item must not answer 403
    return participant, item


def _apply_dates(
    item: PlanItem,
    values: dict[str, Any],
    anchors: dict[str, date | None],
    land: str,
    plan: dict[UUID, PlanItem],
) -> PlanItem:
    """Hand-set dates stick; offsets (or ``dates_set_by_hand: false``) re-derive the window."""
    values = {k: v for k, v in values.items() if k in PlanItem.__struct_fields__}
    if "anchor" in values:
        values["anchor"] = Anchor(values["anchor"])
    updated = msgspec.structs.replace(item, **values)
    if updated.anchor == Anchor.DEPENDENCIES and not updated.depends_on:
        raise ValidationFailed("an item anchored on its dependencies needs at least one", field="anchor")
    if "earliest_start" in values or "latest_due" in values:
        updated = msgspec.structs.replace(updated, dates_set_by_hand=True)
    elif not updated.dates_set_by_hand:
        others = [i for i in plan.values() if i.id != updated.id]
        updated = rules.place([*others, updated], anchors, land)[updated.id]
    if updated.earliest_start and updated.latest_due and updated.earliest_start > updated.latest_due:
        raise ValidationFailed(
            "latest_due must not be before earliest_start", field="latest_due", code="window_inverted"
        )
    rules.check_offsets(updated.start_offset_days, updated.due_offset_days, "offsets")
    return updated


async def reflow(participant: Participant, now: datetime) -> list[rules.ItemMove]:
    """Move every derived window to where the anchors now put it. Inside the caller's transaction."""
    items = await repo.list_items(participant.id)
    if not items:
        return []
    moves = rules.rederive(items, await _anchors(participant), await repo.participant_land(participant.id))
    for move in moves:
        await repo.update_item(
            move.id,
            {"earliest_start": move.new_earliest_start, "latest_due": move.new_latest_due},
            expected_version=None,
            now=now,
        )
    return moves


async def add_item(
    caller: Caller, participant_id: UUID, values: dict[str, Any]
) -> tuple[PlanItem, DueState, list[StatusChange]]:
    _check_item_fields(values)
    if values.get("shared_with_prison") and values.get("domain") in rules.NEVER_SHARED_DOMAINS:
        raise ValidationFailed(
            "deradicalisation items are never shared with prison staff",
            field="shared_with_prison",
            code="never_shared",
        )
    now = clock.now()
    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        existing = {i.id: i for i in await repo.list_items(participant_id)}
        item_id = uuid4()
        rules.check_item_dependencies(item_id, values.get("depends_on", ()), existing)
        base = PlanItem(
            id=item_id,
            participant_id=participant_id,
            domain=values["domain"],
            title_de=values["title_de"],
            position=(max((i.position for i in existing.values()), default=0) + 10),
        )
        fields = {k: v for k, v in values.items() if k not in ("notes",)}
        if "depends_on" in fields:
            fields["depends_on"] = tuple(fields["depends_on"])
        item = _apply_dates(
            base, fields, await _anchors(participant), await repo.participant_land(participant_id), existing
        )
        item = msgspec.structs.replace(item, notes=encrypt_text(values.get("notes", "")))
        await repo.insert_items([item], now)
        await audit.record(
            caller,
            "plan_item.added",
            subject_type="plan_item",
            subject_id=item_id,
            participant_id=participant_id,
            domain=item.domain,
        )
    return await get_item_unaudited(caller, item_id)


async def get_item_unaudited(caller: Caller, item_id: UUID) -> tuple[PlanItem, DueState, list[StatusChange]]:
    """For answers to writes, which are audited as writes already."""
    participant, item = await _load_item(caller, item_id, write=False)
    history = await repo.status_history([item_id])
    state = rules.due_state(item, today=clock.today(), case_closed=participant.is_closed)
    return _for_caller(caller, item), state, history.get(item_id, [])


async def get_item(caller: Caller, item_id: UUID) -> tuple[PlanItem, DueState, list[StatusChange]]:
    participant, item = await _load_item(caller, item_id, write=False)
    history = await repo.status_history([item_id])
    await audit.record(
        caller,
        "plan_item.read",
        subject_type="plan_item",
        subject_id=item_id,
        participant_id=item.participant_id,
    )
    state = rules.due_state(item, today=clock.today(), case_closed=participant.is_closed)
    return _for_caller(caller, item), state, history.get(item_id, [])


async def update_item(
    caller: Caller, item_id: UUID, changes: dict[str, Any], *, expected_version: int
) -> tuple[PlanItem, DueState, list[StatusChange]]:
    """Edit, re-date or change the status of one item (If-Match). Status changes are kept as history."""
    _check_item_fields(changes)
    now = clock.now()
    async with db.transaction():
        participant, item = await _load_item(caller, item_id, write=True)
        if item.version != expected_version:
            raise StaleVersion(
                "the item was changed by someone else; reload it and apply your change again",
                field="If-Match",
            )
        values = dict(changes)
        notes = values.pop("notes", None)
        reason = values.pop("status_reason", None)
        new_status = values.pop("status", None)
        domain = values.get("domain", item.domain)
        if values.get("shared_with_prison", item.shared_with_prison) and domain in rules.NEVER_SHARED_DOMAINS:
            raise ValidationFailed(
                "deradicalisation items are never shared with prison staff",
                field="shared_with_prison",
                code="never_shared",
            )
        items = {i.id: i for i in await repo.list_items(participant.id)}
        if "depends_on" in values:
            values["depends_on"] = tuple(values["depends_on"])
            rules.check_item_dependencies(item_id, values["depends_on"], items)
        if values.get("dates_set_by_hand") is True and not ("earliest_start" in values or "latest_due" in values):
            values.pop("dates_set_by_hand")
        updated = _apply_dates(
            item, values, await _anchors(participant), await repo.participant_land(participant.id), items
        )
        row: dict[str, Any] = {
            k: getattr(updated, k)
            for k in (
                "domain",
                "title_de",
                "title_en",
                "owner_role",
                "anchor",
                "start_offset_days",
                "due_offset_days",
                "earliest_start",
                "latest_due",
                "dates_set_by_hand",
                "depends_on",
                "shared_with_prison",
                "position",
            )
        }
        if notes is not None:
            row["notes_encrypted"] = encrypt_text(notes)
        status_changed = False
        if new_status is not None:
            status = ItemStatus(new_status)
            rules.check_status_change(updated, status, reason or "", items)
            if status != item.status or reason is not None:
                status_changed = status != item.status
                row.update(status=status, status_by=caller.user_id, status_at=now, status_reason=reason or "")
                if status_changed:
                    await repo.insert_status_change(
                        item_id,
                        from_status=item.status.value,
                        to_status=status.value,
                        actor_id=caller.user_id,
                        reason=reason or "",
                        now=now,
                    )
        elif reason is not None:
            raise ValidationFailed("status_reason goes with a status change", field="status_reason")
        await repo.update_item(item_id, row, expected_version=expected_version, now=now)
        # items anchored on this one's deadline follow it
        await reflow(participant, now)
        await audit.record(
            caller,
            "plan_item.status_changed" if status_changed else "plan_item.updated",
            subject_type="plan_item",
            subject_id=item_id,
            participant_id=participant.id,
            fields=sorted(changes),
            **({"from_status": item.status.value, "to_status": new_status} if status_changed else {}),
        )
    return await get_item_unaudited(caller, item_id)


async def delete_item(caller: Caller, item_id: UUID, *, expected_version: int) -> None:
    async with db.transaction():
        participant, item = await _load_item(caller, item_id, write=True)
        if item.version != expected_version:
            raise StaleVersion("the item was changed by someone else", field="If-Match")
        dependents = [i for i in await repo.list_items(participant.id) if item_id in i.depends_on]
        if dependents:
            raise Conflict(
                "other items depend on this one: " + ", ".join(i.title_de for i in dependents),
                code="has_dependents",
                dependents=[{"id": str(i.id), "title": i.title_de} for i in dependents],
            )
        await repo.delete_item(item_id)
        await audit.record(
            caller,
            "plan_item.removed",
            subject_type="plan_item",
            subject_id=item_id,
            participant_id=participant.id,
            title=item.title_de,
        )


# --- agency appointments ------------------------------------------------------------------------------------

APPOINTMENT_STATUSES = ("planned", "confirmed", "done", "cancelled")
SEQUENCE_FIELDS = frozenset({"starts_at", "ends_at", "place", "status", "agency"})


async def _check_appointment(participant_id: UUID, values: dict[str, Any], current: Appointment | None) -> None:
    starts = values.get("starts_at", current.starts_at if current else None)
    ends = values.get("ends_at", current.ends_at if current else None)
    if starts is None or ends is None:
        raise ValidationFailed("starts_at and ends_at are required", field="starts_at")
    if starts.tzinfo is None or ends.tzinfo is None:
        raise ValidationFailed(
            "give instants with a UTC offset", field="starts_at" if starts.tzinfo is None else "ends_at"
        )
    parse_date(starts.date(), "starts_at")  # far-off years are typos (and overflow in calendar arithmetic)
    parse_date(ends.date(), "ends_at")
    if ends <= starts:
        raise ValidationFailed("an appointment must end after it starts", field="ends_at", code="ends_before_start")
    if (ends - starts).total_seconds() > 24 * 3600:
        raise ValidationFailed("an appointment lasts at most a day", field="ends_at")
    if values.get("status") is not None and values["status"] not in APPOINTMENT_STATUSES:
        raise ValidationFailed(f"status: one of {', '.join(APPOINTMENT_STATUSES)}", field="status")
    if values.get("plan_item_id") is not None:
        item = await repo.get_item(values["plan_item_id"])
        if item is None or item.participant_id != participant_id:
            raise ValidationFailed("no such item in this participant's plan", field="plan_item_id")
    if "agency" in values and not str(values["agency"]).strip():
        raise ValidationFailed("agency is required", field="agency")


async def list_appointments(caller: Caller, participant_id: UUID) -> list[Appointment]:
    participant, _ = await access.load_participant(caller, participant_id)
    plan = await _plan(caller, participant)
    await audit.record(
        caller,
        "appointment.listed",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
    )
    return plan.appointments


def _warned(appointment: Appointment, planning_date: date | None) -> Appointment:
    return msgspec.structs.replace(
        appointment, warnings=rules.appointment_warnings(appointment, planning_date, clock.BERLIN)
    )


async def create_appointment(caller: Caller, participant_id: UUID, values: dict[str, Any]) -> Appointment:
    now = clock.now()
    async with db.transaction():
        participant, _ = await access.load_participant(caller, participant_id, write=True)
        await _check_appointment(participant_id, values, None)
        appointment_id = await repo.insert_appointment(participant_id, values, now)
        await audit.record(
            caller,
            "appointment.created",
            subject_type="appointment",
            subject_id=appointment_id,
            participant_id=participant_id,
        )
        created = await repo.get_appointment(appointment_id)
    assert created is not None
    return _warned(created, participant.planning_date)


async def _load_appointment(caller: Caller, appointment_id: UUID, *, write: bool) -> Appointment:
    """The appointment (with its warnings) if the caller may see its participant."""
    appointment = await repo.get_appointment(appointment_id)
    if appointment is None:
        raise NotFound("appointment not found")
    try:
        participant, _ = await access.load_participant(caller, appointment.participant_id)
    except NotFound:
        raise NotFound("appointment not found") from None  # not yours reads exactly like does not exist
    if caller.role == Role.PRISON_STAFF:
        linked = await repo.get_item(appointment.plan_item_id) if appointment.plan_item_id else None
        shared = await shares_service.shared_domains(caller, participant.id)
        if not appointment.shared_with_prison or (linked is not None and not _visible(caller, linked, shared)):
            raise NotFound("appointment not found")
    if write:
        access.require_case_write(caller)  # only now: a write to a hidden appointment must not answer 403
    return _warned(appointment, participant.planning_date)


async def get_appointment(caller: Caller, appointment_id: UUID) -> Appointment:
    appointment = await _load_appointment(caller, appointment_id, write=False)
    await audit.record(
        caller,
        "appointment.read",
        subject_type="appointment",
        subject_id=appointment_id,
        participant_id=appointment.participant_id,
    )
    return appointment


async def update_appointment(
    caller: Caller, appointment_id: UUID, changes: dict[str, Any], *, expected_version: int
) -> Appointment:
    """Change an appointment; a new time, place or status bumps ``sequence`` so calendars update the event."""
    now = clock.now()
    async with db.transaction():
        current = await _load_appointment(caller, appointment_id, write=True)
        participant, _ = await access.load_participant(caller, current.participant_id, write=True)
        current_date = participant.planning_date
        await _check_appointment(current.participant_id, changes, current)
        values = dict(changes)
        if any(k in SEQUENCE_FIELDS and values[k] != getattr(current, k) for k in values):
            values["sequence"] = current.sequence + 1
        await repo.update_appointment(appointment_id, values, expected_version=expected_version, now=now)
        await audit.record(
            caller,
            "appointment.updated",
            subject_type="appointment",
            subject_id=appointment_id,
            participant_id=current.participant_id,
            fields=sorted(changes),
        )
        updated = await repo.get_appointment(appointment_id)
    assert updated is not None
    return _warned(updated, current_date)


async def delete_appointment(caller: Caller, appointment_id: UUID, *, expected_version: int | None) -> None:
    async with db.transaction():
        current = await _load_appointment(caller, appointment_id, write=True)
        if expected_version is not None and current.version != expected_version:
            raise StaleVersion("the appointment was changed by someone else", field="If-Match")
        await repo.delete_appointment(appointment_id)
        await audit.record(
            caller,
            "appointment.deleted",
            subject_type="appointment",
            subject_id=appointment_id,
            participant_id=current.participant_id,
        )


# --- agenda -------------------------------------------------------------------------------------------------


class AgendaEntry(msgspec.Struct, frozen=True, kw_only=True):
    type: str  # "item" | "appointment"
    on: date
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


AGENDA_DEFAULT_DAYS = 28


async def agenda(caller: Caller, start: date | None = None, end: date | None = None) -> list[AgendaEntry]:
    """What's next: due items in the range, overdue items from before it, appointments in it — date order.

    The range defaults to today and the next four weeks.
    """
    # far-off years are typos, and the calendar arithmetic below would overflow on them
    start = parse_date(start, "from") if start else clock.today()
    end = parse_date(end, "to") if end else start + timedelta(days=AGENDA_DEFAULT_DAYS)
    if end < start:
        raise ValidationFailed("'to' must not be before 'from'", field="to")
    if (end - start).days > 400:
        raise ValidationFailed("the range spans at most 400 days", field="to")
    today = clock.today()
    entries: list[AgendaEntry] = []
    shared: dict[UUID, set[str] | None] = {}
    ids: list[UUID] | ParticipantScope = access.participant_scope(caller)
    if caller.role == Role.PRISON_STAFF:
        ids = await access.visible_participant_ids(caller)
        shared = {pid: await shares_service.shared_domains(caller, pid) for pid in ids}
    visible_items: set[UUID] = set()
    # prison staff need every visible item (an appointment shows only if its item is visible); everyone else
    # needs only what can be on the agenda: not closed, due by the end of the range or overdue today
    due_until = None if caller.role == Role.PRISON_STAFF else max(end, today)
    for item, code, status in await repo.items_for_participants(ids, open_due_until=due_until):
        if not _visible(caller, item, shared.get(item.participant_id)):
            continue
        visible_items.add(item.id)
        state = rules.due_state(item, today=today, case_closed=ParticipantStatus(status) in CLOSED_STATUSES)
        if state == DueState.CLOSED or item.latest_due is None:
            continue
        if state == DueState.OVERDUE or start <= item.latest_due <= end:
            entries.append(
                AgendaEntry(
                    type="item",
                    on=item.latest_due,
                    participant_id=item.participant_id,
                    participant_code=code,
                    title=item.title_de,
                    due_state=state.value,
                    item_id=item.id,
                )
            )
    start_at = datetime.combine(start, datetime.min.time(), tzinfo=clock.BERLIN)
    end_at = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=clock.BERLIN)
    for a in await repo.appointments_between(ids, start_at, end_at):
        if caller.role == Role.PRISON_STAFF and (
            not a.shared_with_prison or (a.plan_item_id is not None and a.plan_item_id not in visible_items)
        ):
            continue
        entries.append(
            AgendaEntry(
                type="appointment",
                on=a.starts_at.astimezone(clock.BERLIN).date(),
                participant_id=a.participant_id,
                participant_code=a.participant_code,
                title=a.agency,
                appointment_id=a.id,
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                agency=a.agency,
                place=a.place,
            )
        )
    entries.sort(key=lambda e: (e.on, e.starts_at or datetime.min.replace(tzinfo=clock.BERLIN), e.participant_code))
    await audit.record(
        caller,
        "agenda.read",
        subject_type="agenda",
        start=start,
        end=end,
        participants=len({e.participant_id for e in entries}),
    )
    return entries
