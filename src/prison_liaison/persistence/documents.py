"""Read queries for printable documents, and the per-audience record of what was last printed.

One query per list (no N+1). The fingerprint is a single aggregate query over everything a plan print shows,
so a repeated download can be answered from the cache without loading the plan.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from prison_liaison.persistence.common import utc, versioned_update
from prison_liaison.persistence.tables import (
    AppointmentTable,
    ParticipantTable,
    PlanItemTable,
    PlanPrintTable,
    ReleaseDateEntryTable,
    ShareTable,
    VisitAttendeeTable,
    VisitTable,
)
from prison_liaison.planning.documents import AppointmentView, PlanItemView, ReleaseDateView

# One row per table: (row count, sum of versions, latest change). Deleting, adding or changing any row that a
# print shows changes at least one of them. Mentor contact details and the prison's name are included.
_FINGERPRINT_SQL = """
SELECT 'participant' AS part, COUNT(*) AS n, COALESCE(SUM(p.version), 0) AS v,
       CAST(MAX(p.updated_at) AS TEXT) AS at
  FROM participant p WHERE p.id = {}
UNION ALL
SELECT 'prison', COUNT(*), COALESCE(SUM(pr.version), 0), CAST(MAX(pr.updated_at) AS TEXT)
  FROM prison pr JOIN participant p ON p.prison = pr.id WHERE p.id = {}
UNION ALL
SELECT 'plan_item', COUNT(*), COALESCE(SUM(version), 0), CAST(MAX(updated_at) AS TEXT)
  FROM plan_item WHERE participant = {}
UNION ALL
SELECT 'appointment', COUNT(*), COALESCE(SUM(version), 0), CAST(MAX(updated_at) AS TEXT)
  FROM appointment WHERE participant = {}
UNION ALL
SELECT 'release_date', COUNT(*), COALESCE(SUM(version), 0), CAST(MAX(updated_at) AS TEXT)
  FROM release_date_entry WHERE participant = {}
UNION ALL
SELECT 'share', COUNT(*), COALESCE(SUM(version), 0), CAST(MAX(updated_at) AS TEXT)
  FROM share WHERE participant = {}
UNION ALL
SELECT 'mentors', COUNT(*), COALESCE(SUM(u.version + ma.version), 0),
       CAST(MAX(CASE WHEN u.updated_at > ma.updated_at THEN u.updated_at ELSE ma.updated_at END) AS TEXT)
  FROM mentor_assignment ma JOIN app_user u ON u.id = ma.mentor WHERE ma.participant = {}
"""


async def plan_fingerprint(participant_id: UUID) -> str:
    """A short digest that changes whenever anything a printed plan shows changes."""
    rows = await ParticipantTable.raw(_FINGERPRINT_SQL, *([participant_id] * 7))
    parts = sorted(f"{r['part']}:{r['n']}:{r['v']}:{r['at']}" for r in rows)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


async def plan_items(participant_id: UUID) -> list[tuple[PlanItemView, str]]:
    """The plan's items with their still-encrypted notes."""
    rows = await PlanItemTable.select(
        PlanItemTable.id,
        PlanItemTable.domain,
        PlanItemTable.title_de,
        PlanItemTable.title_en,
        PlanItemTable.status,
        PlanItemTable.earliest_start,
        PlanItemTable.latest_due,
        PlanItemTable.shared_with_prison,
        PlanItemTable.position,
        PlanItemTable.notes_encrypted,
    ).where(PlanItemTable.participant == participant_id)
    return [
        (
            PlanItemView(
                id=r["id"],
                domain=r["domain"],
                title_de=r["title_de"],
                title_en=r["title_en"] or "",
                status=r["status"],
                earliest_start=r["earliest_start"],
                latest_due=r["latest_due"],
                shared_with_prison=bool(r["shared_with_prison"]),
                position=r["position"] or 0,
            ),
            r["notes_encrypted"] or "",
        )
        for r in rows
    ]


async def appointments(participant_id: UUID) -> list[AppointmentView]:
    """All appointments (times in UTC); the service picks the upcoming ones and converts the times."""
    rows = (
        await AppointmentTable.select(
            AppointmentTable.id,
            AppointmentTable.starts_at,
            AppointmentTable.ends_at,
            AppointmentTable.agency,
            AppointmentTable.place,
            AppointmentTable.contact,
            AppointmentTable.what_to_bring,
            AppointmentTable.status,
            AppointmentTable.plan_item,
            AppointmentTable.shared_with_prison,
        )
        .where(AppointmentTable.participant == participant_id)
        .order_by(AppointmentTable.starts_at)
    )
    return [
        AppointmentView(
            id=r["id"],
            starts_at=utc(r["starts_at"]),  # type: ignore[arg-type]
            ends_at=utc(r["ends_at"]),  # type: ignore[arg-type]
            agency=r["agency"],
            place=r["place"] or "",
            contact=r["contact"] or "",
            what_to_bring=r["what_to_bring"] or "",
            status=r["status"],
            plan_item_id=r["plan_item"],
            shared_with_prison=bool(r["shared_with_prison"]),
        )
        for r in rows
    ]


async def release_date_entries(participant_id: UUID) -> list[ReleaseDateView]:
    rows = await ReleaseDateEntryTable.select(
        ReleaseDateEntryTable.kind,
        ReleaseDateEntryTable.date,
        ReleaseDateEntryTable.source,
        ReleaseDateEntryTable.flags,
        ReleaseDateEntryTable.recorded_at,
    ).where(ReleaseDateEntryTable.participant == participant_id)
    return [
        ReleaseDateView(
            kind=r["kind"],
            date=r["date"],
            source=r["source"],
            flags=tuple(str(f) for f in _json_list(r["flags"])),
            recorded_at=utc(r["recorded_at"]),
        )
        for r in rows
    ]


async def shares_to_prison(participant_id: UUID, prison_id: UUID) -> list[dict[str, Any]]:
    rows = await ShareTable.select(ShareTable.scope, ShareTable.expires_on, ShareTable.revoked_at).where(
        (ShareTable.participant == participant_id) & (ShareTable.prison == prison_id)
    )
    return [{**r, "scope": _json_list(r["scope"])} for r in rows]


# --- what an audience last printed ----------------------------------------------------------------------


async def last_print(participant_id: UUID, audience: str) -> dict[str, Any] | None:
    row = (
        await PlanPrintTable.select(PlanPrintTable.id, PlanPrintTable.version, PlanPrintTable.snapshot)
        .where((PlanPrintTable.participant == participant_id) & (PlanPrintTable.audience == audience))
        .order_by(PlanPrintTable.version, ascending=False)
        .first()
    )
    if row is None:
        return None
    snapshot = row["snapshot"]
    if isinstance(snapshot, str):
        snapshot = json.loads(snapshot or "{}")
    return {"id": row["id"], "version": row["version"], "snapshot": snapshot}


async def insert_print(
    participant_id: UUID, audience: str, snapshot: dict[str, Any], *, printed_by: UUID | None, now: datetime
) -> None:
    await PlanPrintTable.insert(
        PlanPrintTable(
            id=uuid4(),
            participant=participant_id,
            audience=audience,
            printed_by=printed_by,
            snapshot=snapshot,
            created_at=now,
            updated_at=now,
            version=1,
        )
    )


async def update_print(
    print_id: UUID, snapshot: dict[str, Any], *, expected_version: int, printed_by: UUID | None, now: datetime
) -> int:
    return await versioned_update(
        PlanPrintTable,
        print_id,
        {"snapshot": snapshot, "printed_by": printed_by},
        expected_version=expected_version,
        now=now,
    )


# --- the prison's day list ------------------------------------------------------------------------------


async def visits_at_prison(
    prison_id: UUID, start: datetime, end: datetime, statuses: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Visits starting in [start, end) at the prison, with the participant's code and names and the
    attending mentors' display names (two queries in all)."""
    rows = (
        await VisitTable.select(
            VisitTable.id,
            VisitTable.participant,
            VisitTable.starts_at,
            VisitTable.ends_at,
            VisitTable.status,
            VisitTable.room,
            VisitTable.participant.code.as_alias("code"),
            VisitTable.participant.first_name.as_alias("first_name"),
            VisitTable.participant.last_name.as_alias("last_name"),
        )
        .where(
            (VisitTable.prison == prison_id)
            & (VisitTable.starts_at >= start)
            & (VisitTable.starts_at < end)
            & VisitTable.status.is_in(list(statuses))
            & VisitTable.participant.archived_at.is_null()
        )
        .order_by(VisitTable.starts_at)
    )
    if not rows:
        return []
    mentors: dict[UUID, list[str]] = defaultdict(list)
    for a in (
        await VisitAttendeeTable.select(
            VisitAttendeeTable.visit,
            VisitAttendeeTable.user.display_name.as_alias("display_name"),
            VisitAttendeeTable.user.username.as_alias("username"),
        )
        .where(VisitAttendeeTable.visit.is_in([r["id"] for r in rows]))
        .order_by(VisitAttendeeTable.created_at)
    ):
        mentors[a["visit"]].append(a["display_name"] or a["username"])
    return [
        {**r, "starts_at": utc(r["starts_at"]), "ends_at": utc(r["ends_at"]), "mentors": mentors[r["id"]]}
        for r in rows
    ]
