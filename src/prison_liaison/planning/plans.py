"""Release-preparation plans: templates, items, windows, dependencies, status rules, due state, replanning."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any
from uuid import UUID

import msgspec

from prison_liaison.planning import workdays
from prison_liaison.planning.errors import Conflict, ValidationFailed
from prison_liaison.planning.offsets import Anchor, Offset
from prison_liaison.planning.shares import PLAN_DOMAINS

DUE_SOON_DAYS = 14
MAX_OFFSET_DAYS = 3660
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
DOMAINS = (*PLAN_DOMAINS, "other")
NEVER_SHARED_DOMAINS = frozenset({"deradicalisation"})
OWNER_ROLES = ("mentor", "participant", "prison_social_service", "coordinator", "probation", "agency")


class ItemStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_NEEDED = "not_needed"
    DECLINED = "declined"
    BLOCKED = "blocked"


CLOSED_ITEM_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.NOT_NEEDED, ItemStatus.DECLINED})
SATISFIED_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.NOT_NEEDED})
REASON_REQUIRED = frozenset({ItemStatus.DECLINED, ItemStatus.NOT_NEEDED})


class DueState(enum.StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    CLOSED = "closed"


class TemplateItem(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    domain: str
    title_de: str
    title_en: str = ""
    owner_role: str = "mentor"
    anchor: Anchor = Anchor.PLANNING_DATE
    start_days: int | None = None
    due_days: int | None = None
    depends_on: tuple[str, ...] = ()
    shared_with_prison: bool = False
    note: str = ""


class ChecklistTemplate(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID | None = None
    key: str
    name: str
    items: tuple[TemplateItem, ...]
    version: int = 1
    active: bool = True
    updated_at: datetime | None = None


class PlanItem(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_id: UUID
    domain: str
    title_de: str
    title_en: str = ""
    item_key: str = ""
    template_key: str = ""
    template_version: int | None = None
    owner_role: str = "mentor"
    anchor: Anchor = Anchor.PLANNING_DATE
    start_offset_days: int | None = None
    due_offset_days: int | None = None
    earliest_start: date | None = None
    latest_due: date | None = None
    dates_set_by_hand: bool = False
    depends_on: tuple[UUID, ...] = ()
    status: ItemStatus = ItemStatus.OPEN
    status_by: UUID | None = None
    status_at: datetime | None = None
    status_reason: str = ""
    shared_with_prison: bool = False
    position: int = 0
    notes: str = ""
    version: int = 1

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ITEM_STATUSES


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    plan_item_id: UUID
    from_status: str
    to_status: str
    actor_id: UUID | None
    at: datetime
    reason: str = ""


class Appointment(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    participant_id: UUID
    plan_item_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    agency: str
    place: str = ""
    contact: str = ""
    what_to_bring: str = ""
    status: str = "planned"
    sequence: int = 0
    shared_with_prison: bool = True
    version: int = 1
    participant_code: str = ""
    warnings: tuple[str, ...] = ()


RELEASE_DAY_EARLIEST_APPOINTMENT = time(11, 0)


def appointment_warnings(appointment: Appointment, planning_date: date | None, tz: tzinfo) -> tuple[str, ...]:
    """Soft rules a mentor should see: release happens in the morning, so agencies from about 11:00."""
    local = appointment.starts_at.astimezone(tz)
    if (
        planning_date is not None
        and local.date() == planning_date
        and local.time() < RELEASE_DAY_EARLIEST_APPOINTMENT
    ):
        return ("release_day_before_11",)
    return ()


# --- templates ----------------------------------------------------------------------------------------------


def _find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check_offsets(start: int | None, due: int | None, field: str) -> None:
    for name, value in (("start_days", start), ("due_days", due)):
        if value is not None and abs(value) > MAX_OFFSET_DAYS:
            raise ValidationFailed(f"offsets are limited to ±{MAX_OFFSET_DAYS} days", field=f"{field}.{name}")
    if start is not None and due is not None and start > due:
        raise ValidationFailed(
            "the window must not start after it is due", field=f"{field}.due_days", code="window_inverted"
        )


def check_template(items: Iterable[TemplateItem]) -> tuple[TemplateItem, ...]:
    """Keys unique and well-formed, known domains/anchors, dependencies that exist and form no cycle."""
    items = tuple(items)
    if not items:
        raise ValidationFailed("a template needs at least one item", field="items")
    keys: dict[str, int] = {}
    for i, item in enumerate(items):
        field = f"items[{i}]"
        if not KEY_RE.match(item.key):
            raise ValidationFailed("key: lowercase letters, digits and '_'", field=f"{field}.key")
        if item.key in keys:
            raise ValidationFailed(f"duplicate key {item.key!r}", field=f"{field}.key", code="duplicate_key")
        keys[item.key] = i
        if item.domain not in DOMAINS:
            raise ValidationFailed(
                f"unknown domain; use one of {', '.join(DOMAINS)}", field=f"{field}.domain"
            )
        if item.owner_role not in OWNER_ROLES:
            raise ValidationFailed(
                f"unknown owner role; use one of {', '.join(OWNER_ROLES)}", field=f"{field}.owner_role"
            )
        if not item.title_de.strip():
            raise ValidationFailed("a German title is required", field=f"{field}.title_de")
        check_offsets(item.start_days, item.due_days, field)
        if item.anchor == Anchor.DEPENDENCIES and not item.depends_on:
            raise ValidationFailed(
                "an item anchored on its dependencies needs at least one", field=f"{field}.anchor"
            )
        if item.shared_with_prison and item.domain in NEVER_SHARED_DOMAINS:
            raise ValidationFailed(
                "deradicalisation items are never shared with prison staff by default",
                field=f"{field}.shared_with_prison",
                code="never_shared",
            )
    for i, item in enumerate(items):
        for j, dep in enumerate(item.depends_on):
            if dep not in keys:
                raise ValidationFailed(
                    f"depends on unknown item {dep!r}",
                    field=f"items[{i}].depends_on[{j}]",
                    code="unknown_dependency",
                )
            if dep == item.key:
                raise ValidationFailed(
                    "an item cannot depend on itself",
                    field=f"items[{i}].depends_on[{j}]",
                    code="dependency_cycle",
                    cycle=[dep, dep],
                )
    cycle = _find_cycle({item.key: item.depends_on for item in items})
    if cycle:
        raise ValidationFailed(
            f"dependencies form a cycle: {' → '.join(cycle)}",
            field=f"items[{keys[cycle[0]]}].depends_on",
            code="dependency_cycle",
            cycle=cycle,
        )
    return items


def check_item_dependencies(
    item_id: UUID, depends_on: Iterable[UUID], items: Mapping[UUID, PlanItem]
) -> None:
    """Plan-level: dependencies exist in the same plan and would not close a cycle."""
    deps = tuple(depends_on)
    for j, dep in enumerate(deps):
        if dep not in items or dep == item_id:
            raise ValidationFailed(
                "depends on an item that is not in this plan (or itself)",
                field=f"depends_on[{j}]",
                code="unknown_dependency",
            )
    graph = {str(i.id): [str(d) for d in i.depends_on] for i in items.values()}
    graph[str(item_id)] = [str(d) for d in deps]
    if _find_cycle(graph):
        raise ValidationFailed(
            "these dependencies would form a cycle", field="depends_on", code="dependency_cycle"
        )


# --- windows and due state ----------------------------------------------------------------------------------


def window(
    anchor: Anchor,
    start_days: int | None,
    due_days: int | None,
    anchors: Mapping[str, date | None],
    land: str = workdays.DEFAULT_LAND,
) -> tuple[date | None, date | None]:
    """Earliest start and latest due for offsets from an anchor; a due date rolls back to a working day."""
    start = Offset(days=start_days, anchor=anchor).resolve(anchors, land) if start_days is not None else None
    due = (
        Offset(days=due_days, anchor=anchor, working_day=True).resolve(anchors, land)
        if due_days is not None
        else None
    )
    if start is not None and due is not None and due < start:
        due = start  # rolling back never opens the window after it closes
    return start, due


def due_state(item: PlanItem, *, today: date, case_closed: bool = False) -> DueState:
    """Where an item stands today. A closed case raises nothing: all of its items count as closed."""
    if case_closed or item.is_closed:
        return DueState.CLOSED
    if item.latest_due is not None and today > item.latest_due:
        return DueState.OVERDUE
    if item.earliest_start is not None and today < item.earliest_start:
        return DueState.NOT_YET_OPEN
    if item.latest_due is not None and (item.latest_due - today).days <= DUE_SOON_DAYS:
        return DueState.DUE_SOON
    return DueState.OPEN


def open_dependencies(item: PlanItem, items: Mapping[UUID, PlanItem]) -> list[PlanItem]:
    return [items[d] for d in item.depends_on if d in items and items[d].status not in SATISFIED_STATUSES]


def check_status_change(item: PlanItem, new: ItemStatus, reason: str, items: Mapping[UUID, PlanItem]) -> None:
    """``declined``/``not_needed`` need a reason; ``done`` needs every dependency done or not needed."""
    if new in REASON_REQUIRED and not reason.strip():
        raise ValidationFailed(
            f"status {new.value} needs a reason", field="status_reason", code="reason_required"
        )
    if new == ItemStatus.DONE:
        blocking = open_dependencies(item, items)
        if blocking:
            raise Conflict(
                "first finish: " + ", ".join(i.title_de for i in blocking),
                code="dependencies_open",
                open_dependencies=[
                    {"id": str(i.id), "title": i.title_de, "status": i.status.value} for i in blocking
                ],
            )


# --- replanning ---------------------------------------------------------------------------------------------


class ItemMove(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    title: str
    old_latest_due: date | None
    new_latest_due: date | None
    old_earliest_start: date | None
    new_earliest_start: date | None
    days: int  # how far the deadline (or, without one, the start) moved; negative = earlier


def topological(items: Iterable[PlanItem]) -> list[PlanItem]:
    """Dependencies before the items that wait on them (the plan has no cycles; unknown ids are ignored)."""
    by_id = {i.id: i for i in items}
    done: set[UUID] = set()
    order: list[PlanItem] = []

    def visit(item: PlanItem, trail: frozenset[UUID]) -> None:
        if item.id in done or item.id in trail:
            return
        for dep in item.depends_on:
            if dep in by_id:
                visit(by_id[dep], trail | {item.id})
        done.add(item.id)
        order.append(item)

    for item in sorted(by_id.values(), key=lambda i: i.position):
        visit(item, frozenset())
    return order


def place(
    items: Iterable[PlanItem], anchors: Mapping[str, date | None], land: str = workdays.DEFAULT_LAND
) -> dict[UUID, PlanItem]:
    """Every item with its window derived from the anchors (and from its dependencies' deadlines).

    Hand-set items keep their dates.
    """
    placed: dict[UUID, PlanItem] = {}
    for item in topological(items):
        if item.dates_set_by_hand:
            placed[item.id] = item
            continue
        own = dict(anchors)
        if item.anchor == Anchor.DEPENDENCIES:
            dues = [placed[d].latest_due for d in item.depends_on if d in placed]
            own[Anchor.DEPENDENCIES.value] = max((d for d in dues if d is not None), default=None)
        start, due = window(item.anchor, item.start_offset_days, item.due_offset_days, own, land)
        placed[item.id] = msgspec.structs.replace(item, earliest_start=start, latest_due=due)
    return placed


def rederive(
    items: Iterable[PlanItem], anchors: Mapping[str, date | None], land: str = workdays.DEFAULT_LAND
) -> list[ItemMove]:
    """What moves when the anchors move: derived windows follow, hand-set items stay where they are."""
    items = list(items)
    placed = place(items, anchors, land)
    moves = []
    for item in sorted(items, key=lambda i: i.position):
        new = placed[item.id]
        start, due = new.earliest_start, new.latest_due
        if (start, due) == (item.earliest_start, item.latest_due):
            continue
        if due is not None and item.latest_due is not None:
            days = (due - item.latest_due).days
        elif start is not None and item.earliest_start is not None:
            days = (start - item.earliest_start).days
        else:
            days = 0
        moves.append(
            ItemMove(
                id=item.id,
                title=item.title_de,
                old_latest_due=item.latest_due,
                new_latest_due=due,
                old_earliest_start=item.earliest_start,
                new_earliest_start=start,
                days=days,
            )
        )
    return moves


def summarize(moves: list[ItemMove], visits_after_release: int) -> str:
    parts = []
    earlier = [m for m in moves if m.days < 0]
    later = [m for m in moves if m.days > 0]
    if earlier:
        parts.append(f"{len(earlier)} deadline(s) moved up to {max(-m.days for m in earlier)} days earlier")
    if later:
        parts.append(f"{len(later)} deadline(s) moved up to {max(m.days for m in later)} days later")
    if visits_after_release:
        parts.append(f"{visits_after_release} visit(s) now fall after release")
    return "; ".join(parts) or "nothing moved"


def replan_diff(
    old_date: date | None, new_date: date | None, moves: list[ItemMove], visits: list[dict[str, Any]]
) -> dict[str, Any]:
    """The diff as stored on the ledger entry and returned to the client (JSON-ready)."""
    return {
        "old_planning_date": old_date.isoformat() if old_date else None,
        "new_planning_date": new_date.isoformat() if new_date else None,
        "items_moved": [msgspec.to_builtins(m) for m in moves],
        "visits_after_release": visits,
        "summary": summarize(moves, len(visits)),
    }
