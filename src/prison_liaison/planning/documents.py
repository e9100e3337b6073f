"""What a printed release plan shows: who sees which part, the due state of items, what changed since a print.

Pure functions over plain values; the services load the rows, the exports render the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from prison_liaison.planning.shares import NEVER_SHARED, PLAN_DOMAINS

# The order of the domains on the printed plan (release-preparation.md), unknown domains go last.
DOMAIN_ORDER = PLAN_DOMAINS
# Never on a copy for prison staff, whatever the flags and the share scope say.
NEVER_SHARED_DOMAINS = NEVER_SHARED
CLOSED_ITEM_STATUSES = frozenset({"done", "not_needed", "declined"})
OPEN_ITEM_STATUSES = frozenset({"open", "in_progress", "blocked"})
RELEASE_DATES_DOMAIN = "release_dates"


class PlanItemView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    domain: str
    title_de: str
    title_en: str
    status: str
    earliest_start: date | None = None
    latest_due: date | None = None
    shared_with_prison: bool = False
    position: int = 0
    notes: str = ""

    def title(self, language: str) -> str:
        return (self.title_en or self.title_de) if language == "en" else self.title_de

    def due_state(self, today: date) -> str:
        """closed | overdue | due_soon | open | not_yet_open."""
        if self.status in CLOSED_ITEM_STATUSES:
            return "closed"
        if self.latest_due is not None and self.latest_due < today:
            return "overdue"
        if self.earliest_start is not None and self.earliest_start > today:
            return "not_yet_open"
        if self.latest_due is not None:
            return "due_soon"
        return "open"


class AppointmentView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    starts_at: datetime  # local time of the place (the service converts)
    ends_at: datetime
    agency: str
    place: str = ""
    contact: str = ""
    what_to_bring: str = ""
    status: str = "planned"
    plan_item_id: UUID | None = None
    shared_with_prison: bool = True


class ReleaseDateView(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    date: date | None
    source: str
    flags: tuple[str, ...] = ()
    recorded_at: datetime | None = None


class MentorView(msgspec.Struct, frozen=True, kw_only=True):
    role: str
    display_name: str
    phone: str = ""
    email: str = ""


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One line of "changes since the last print"."""

    kind: str  # planning_date_moved | item_moved | item_closed | item_reopened | item_added | item_removed |
    #            appointment_added | appointment_moved | appointment_cancelled | appointment_removed
    title_de: str = ""
    title_en: str = ""
    old: str = ""
    new: str = ""
    days: int | None = None

    def title(self, language: str) -> str:
        return (self.title_en or self.title_de) if language == "en" else self.title_de


class DomainSection(msgspec.Struct, frozen=True, kw_only=True):
    domain: str
    items: tuple[PlanItemView, ...]


class PlanContent(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one audience may see of a plan, before any print-specific decoration."""

    items: tuple[PlanItemView, ...]
    appointments: tuple[AppointmentView, ...]
    release_dates: tuple[ReleaseDateView, ...]
    planning_date: date | None
    planning_basis: str
    mentors: tuple[MentorView, ...]


def initials_of(first_name: str | None, last_name: str | None) -> str:
    """ "Anna Alpha" -> "A.A." (the same rule as Participant.initials)."""
    return "".join(part[:1].upper() + "." for part in (first_name or "", last_name or "") if part)


def active_share_scope(shares: Iterable[dict[str, Any]], *, today: date) -> frozenset[str]:
    """Union of the domains of the shares that are neither revoked nor expired on ``today``."""
    domains: set[str] = set()
    for share in shares:
        if share.get("revoked_at") is not None:
            continue
        expires_on = share.get("expires_on")
        if expires_on is not None and expires_on < today:
            continue
        domains.update(str(d) for d in share.get("scope") or ())
    return frozenset(domains - NEVER_SHARED_DOMAINS)


def for_prison(content: PlanContent, scope: frozenset[str]) -> PlanContent:
    """The prison staff's copy: flagged items of shared domains, never deradicalisation, never notes.

    An appointment shows when it is flagged and its item (if any) shows; release dates only when the
    release-dates domain is shared (the planning date always shows: the shared deadlines hang off it).
    """
    items = tuple(
        msgspec.structs.replace(i, notes="")
        for i in content.items
        if i.shared_with_prison and i.domain in scope and i.domain not in NEVER_SHARED_DOMAINS
    )
    visible = {i.id for i in items}
    appointments = tuple(
        msgspec.structs.replace(a, contact="")
        for a in content.appointments
        if a.shared_with_prison and (a.plan_item_id is None or a.plan_item_id in visible)
    )
    release_dates = content.release_dates if RELEASE_DATES_DOMAIN in scope else ()
    return msgspec.structs.replace(
        content, items=items, appointments=appointments, release_dates=release_dates
    )


def group_by_domain(items: Iterable[PlanItemView]) -> tuple[DomainSection, ...]:
    rank = {d: i for i, d in enumerate(DOMAIN_ORDER)}
    grouped: dict[str, list[PlanItemView]] = {}
    for item in items:
        grouped.setdefault(item.domain, []).append(item)
    ordered = sorted(grouped, key=lambda d: (rank.get(d, len(rank)), d))
    return tuple(
        DomainSection(
            domain=d,
            items=tuple(sorted(grouped[d], key=lambda i: (i.position, i.latest_due or date.max, i.title_de))),
        )
        for d in ordered
    )


def upcoming(appointments: Iterable[AppointmentView], *, now_local: datetime) -> tuple[AppointmentView, ...]:
    """Appointments not over yet and not cancelled, soonest first."""
    return tuple(
        sorted(
            (a for a in appointments if a.status != "cancelled" and a.ends_at >= now_local),
            key=lambda a: a.starts_at,
        )
    )


def snapshot(content: PlanContent) -> dict[str, Any]:
    """What a print showed, as JSON-able data: enough to say later what moved, closed, came or went."""
    return {
        "planning_date": content.planning_date.isoformat() if content.planning_date else None,
        "items": {
            str(i.id): {
                "title_de": i.title_de,
                "title_en": i.title_en,
                "status": i.status,
                "due": i.latest_due.isoformat() if i.latest_due else None,
            }
            for i in content.items
        },
        "appointments": {
            str(a.id): {
                "agency": a.agency,
                "starts_at": a.starts_at.isoformat(),
                "status": a.status,
            }
            for a in content.appointments
        },
    }


def _days(old: str | None, new: str | None) -> int | None:
    if not old or not new:
        return None
    return (date.fromisoformat(new[:10]) - date.fromisoformat(old[:10])).days


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> tuple[Change, ...]:
    """What moved, closed, reopened, came or went between two snapshots, in a stable order."""
    out: list[Change] = []
    if old.get("planning_date") != new.get("planning_date"):
        out.append(
            Change(
                kind="planning_date_moved",
                old=old.get("planning_date") or "",
                new=new.get("planning_date") or "",
                days=_days(old.get("planning_date"), new.get("planning_date")),
            )
        )
    old_items: dict[str, Any] = old.get("items", {})
    new_items: dict[str, Any] = new.get("items", {})
    for key, item in new_items.items():
        titles = {"title_de": item["title_de"], "title_en": item.get("title_en", "")}
        before = old_items.get(key)
        if before is None:
            out.append(Change(kind="item_added", new=item.get("due") or "", **titles))
            continue
        was_closed = before["status"] in CLOSED_ITEM_STATUSES
        is_closed = item["status"] in CLOSED_ITEM_STATUSES
        if is_closed and not was_closed:
            out.append(Change(kind="item_closed", old=before["status"], new=item["status"], **titles))
        elif was_closed and not is_closed:
            out.append(Change(kind="item_reopened", old=before["status"], new=item["status"], **titles))
        if before.get("due") != item.get("due") and not is_closed:
            out.append(
                Change(
                    kind="item_moved",
                    old=before.get("due") or "",
                    new=item.get("due") or "",
                    days=_days(before.get("due"), item.get("due")),
                    **titles,
                )
            )
    for key, item in old_items.items():
        if key not in new_items:
            out.append(
                Change(
                    kind="item_removed",
                    old=item.get("due") or "",
                    title_de=item["title_de"],
                    title_en=item.get("title_en", ""),
                )
            )
    old_appts: dict[str, Any] = old.get("appointments", {})
    new_appts: dict[str, Any] = new.get("appointments", {})
    for key, appt in new_appts.items():
        titles = {"title_de": appt["agency"], "title_en": appt["agency"]}
        before = old_appts.get(key)
        if before is None:
            if appt["status"] != "cancelled":
                out.append(Change(kind="appointment_added", new=appt["starts_at"], **titles))
        elif appt["status"] == "cancelled" and before["status"] != "cancelled":
            out.append(Change(kind="appointment_cancelled", old=before["starts_at"], **titles))
        elif before["starts_at"] != appt["starts_at"]:
            out.append(
                Change(
                    kind="appointment_moved",
                    old=before["starts_at"],
                    new=appt["starts_at"],
                    days=_days(before["starts_at"], appt["starts_at"]),
                    **titles,
                )
            )
    for key, appt in old_appts.items():
        if key not in new_appts:
            out.append(
                Change(
                    kind="appointment_removed",
                    old=appt["starts_at"],
                    title_de=appt["agency"],
                    title_en=appt["agency"],
                )
            )
    return tuple(out)


def current_release_dates(entries: Iterable[ReleaseDateView]) -> tuple[ReleaseDateView, ...]:
    """The ledger's latest entry per kind (the ledger is append-only), in the order of the domain file."""
    order = (
        "sentence_start",
        "pretrial_credit_days",
        "sentence_end",
        "earliest_release_day",
        "half_time",
        "two_thirds",
        "life_minimum",
        "planned_release",
    )
    latest: dict[str, ReleaseDateView] = {}
    for entry in sorted(entries, key=lambda e: (e.recorded_at is not None, e.recorded_at or 0)):  # type: ignore[operator]
        latest[entry.kind] = entry
    rank = {k: i for i, k in enumerate(order)}
    return tuple(sorted(latest.values(), key=lambda e: (rank.get(e.kind, len(rank)), e.kind)))


class PlanDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A release plan as one audience prints it on one day."""

    language: str
    code: str
    initials: str
    prison_name: str
    prison_code: str
    is_prison_copy: bool
    stand: date
    edition: int
    content: PlanContent
    sections: tuple[DomainSection, ...]
    upcoming_appointments: tuple[AppointmentView, ...]
    today: date
    changes: tuple[Change, ...] = ()
    baseline_printed_on: date | None = None
    baseline_edition: int | None = None
    release_dates_shared: bool = True


class DayListVisit(msgspec.Struct, frozen=True, kw_only=True):
    starts_at: datetime  # prison-local
    ends_at: datetime
    code: str
    initials: str
    mentors: tuple[str, ...]
    room: str
    status: str


class DayList(msgspec.Struct, frozen=True, kw_only=True):
    """The gate's list: who visits whom at one prison on one day."""

    language: str
    prison_name: str
    prison_code: str
    day: date
    stand: date
    visits: tuple[DayListVisit, ...]
    visitor_requirements: str = ""
