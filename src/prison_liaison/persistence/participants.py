"""Participants and their mentor assignments, filtered by what the caller may see."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.query import Select

from prison_liaison.persistence.common import decode_cursor, encode_cursor, utc, versioned_update
from prison_liaison.persistence.tables import (
    MentorAssignmentTable,
    ParticipantTable,
    ShareTable,
    UserTable,
)
from prison_liaison.planning.models import (
    MentorAssignment,
    MentorRole,
    Participant,
    ParticipantScope,
    ParticipantStatus,
)

# Prison staff never see a case before it is one (inquiry, intake) or after it ended (completed, withdrawn,
# declined), whatever the shares say: they have no need to.
HIDDEN_FROM_PRISONS = ("inquiry", "intake", "completed", "withdrawn", "declined")


def scope_condition(scope: ParticipantScope, column: Any = None) -> Any:
    """A Piccolo condition on a participant id column (default: participant.id) for the scope, or None."""
    column = column if column is not None else ParticipantTable.id
    if scope.everything:
        return None
    if scope.mentor_id is not None:
        return column.is_in(
            MentorAssignmentTable.select(MentorAssignmentTable.participant).where(
                (MentorAssignmentTable.mentor == scope.mentor_id) & MentorAssignmentTable.valid_to.is_null()
            )
        )
    if scope.shared_with_prison_id is not None and scope.on is not None:
        return column.is_in(
            ShareTable.select(ShareTable.participant).where(
                (ShareTable.prison == scope.shared_with_prison_id)
                & ShareTable.revoked_at.is_null()
                & (ShareTable.expires_on.is_null() | (ShareTable.expires_on >= scope.on))
                & ShareTable.participant.status.not_in(list(HIDDEN_FROM_PRISONS))
            )
        )
    # no relationship at all: nothing is visible
    return column.is_null()


def _apply_scope(query: Select, scope: ParticipantScope) -> Select:
    cond = scope_condition(scope)
    return query.where(cond) if cond is not None else query


def _participant(row: dict[str, Any], mentors: list[MentorAssignment], notes: str = "") -> Participant:
    return Participant(
        id=row["id"],
        code=row["code"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        prison_id=row["prison"],
        status=ParticipantStatus(row["status"]),
        cadence_days=row["cadence_days"],
        planning_basis=row["planning_basis"],
        planning_date=row["planning_date"],
        admitted_on=row["admitted_on"],
        mentors=tuple(sorted(mentors, key=lambda m: (m.role != MentorRole.LEAD, m.display_name))),
        notes=notes,
        version=row["version"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        closed_at=utc(row["closed_at"]),
        archived_at=utc(row["archived_at"]),
    )


_CURRENT_MENTORS_SQL = (
    'SELECT a."participant", a."mentor", a."role", a."valid_from", a."valid_to", u."display_name", u."email", '
    'u."phone" FROM "mentor_assignment" a JOIN "app_user" u ON u."id" = a."mentor" '
    'WHERE a."valid_to" IS NULL AND a."participant" IN ({ids})'
)


async def current_mentors(participant_ids: list[UUID]) -> dict[UUID, list[MentorAssignment]]:
    """Current assignments for many participants in one query (written out: every list and participant page
    runs it, and Piccolo's query building for the joined columns cost more CPU than the database did)."""
    result: dict[UUID, list[MentorAssignment]] = defaultdict(list)
    if not participant_ids:
        return result
    ids = list(set(participant_ids))
    rows = await MentorAssignmentTable.raw(
        _CURRENT_MENTORS_SQL.replace("{ids}", ", ".join("{}" for _ in ids)), *ids
    )
    for r in rows:
        result[r["participant"]].append(
            MentorAssignment(
                mentor_id=r["mentor"],
                role=MentorRole(r["role"]),
                valid_from=utc(r["valid_from"]),  # type: ignore[arg-type]
                valid_to=utc(r["valid_to"]),
                display_name=r["display_name"],
                email=r["email"],
                phone=r["phone"],
            )
        )
    return result


async def mentor_history(participant_id: UUID) -> list[MentorAssignment]:
    rows = await MentorAssignmentTable.select(
        MentorAssignmentTable.all_columns(),  # type: ignore[arg-type]
        MentorAssignmentTable.mentor.display_name.as_alias("display_name"),
    ).where(MentorAssignmentTable.participant == participant_id).order_by(MentorAssignmentTable.valid_from)
    return [
        MentorAssignment(
            mentor_id=r["mentor"],
            role=MentorRole(r["role"]),
            valid_from=utc(r["valid_from"]),  # type: ignore[arg-type]
            valid_to=utc(r["valid_to"]),
            display_name=r["display_name"],
        )
        for r in rows
    ]


async def exists(participant_id: UUID) -> bool:
    """Whether the id names a participant at all (archived ones included), whoever may see it."""
    return bool(await ParticipantTable.exists().where(ParticipantTable.id == participant_id))


async def get_participant(
    participant_id: UUID, scope: ParticipantScope, *, include_archived: bool = False
) -> tuple[Participant, str] | None:
    """The participant (if the scope sees it) and the still-encrypted notes."""
    q = ParticipantTable.select().where(ParticipantTable.id == participant_id)
    if not include_archived:
        q = q.where(ParticipantTable.archived_at.is_null())
    row = await _apply_scope(q, scope).first()
    if row is None:
        return None
    mentors = await current_mentors([row["id"]])
    return _participant(row, mentors[row["id"]]), row["notes_encrypted"]


async def list_participants(
    scope: ParticipantScope,
    *,
    limit: int,
    cursor: str | None = None,
    status: list[str] | None = None,
    prison_id: UUID | None = None,
    mentor_id: UUID | None = None,
    code_prefix: str | None = None,
    order: str = "code",
) -> tuple[list[Participant], str | None]:
    q = _apply_scope(ParticipantTable.select().where(ParticipantTable.archived_at.is_null()), scope)
    if status:
        q = q.where(ParticipantTable.status.is_in(status))
    if prison_id is not None:
        q = q.where(ParticipantTable.prison == prison_id)
    if mentor_id is not None:
        q = q.where(
            ParticipantTable.id.is_in(
                MentorAssignmentTable.select(MentorAssignmentTable.participant).where(
                    (MentorAssignmentTable.mentor == mentor_id) & MentorAssignmentTable.valid_to.is_null()
                )
            )
        )
    if code_prefix:
        q = q.where(ParticipantTable.code.like(code_prefix.replace("%", "").replace("_", "") + "%"))
    if order == "planning_date":
        # time to release: the ones with a planning date first, soonest first
        if cursor:
            d_s, code = decode_cursor(cursor, 2)
            if d_s:
                d = date.fromisoformat(d_s)
                q = q.where(
                    (ParticipantTable.planning_date > d)
                    | ((ParticipantTable.planning_date == d) & (ParticipantTable.code > code))
                    | ParticipantTable.planning_date.is_null()
                )
            else:
                q = q.where(ParticipantTable.planning_date.is_null() & (ParticipantTable.code > code))
        rows = await q.order_by(ParticipantTable.planning_date, ParticipantTable.code).limit(limit + 1)
        rows = sorted(rows, key=lambda r: (r["planning_date"] is None, r["planning_date"] or date.min, r["code"]))
    else:
        if cursor:
            (code,) = decode_cursor(cursor, 1)
            q = q.where(ParticipantTable.code > code)
        rows = await q.order_by(ParticipantTable.code).limit(limit + 1)
    page = list(rows[:limit])
    mentors = await current_mentors([r["id"] for r in page])
    items = [_participant(r, mentors[r["id"]]) for r in page]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = (
            encode_cursor(last["planning_date"].isoformat() if last["planning_date"] else "", last["code"])
            if order == "planning_date"
            else encode_cursor(last["code"])
        )
    return items, next_cursor


async def visible_ids(scope: ParticipantScope) -> list[UUID]:
    rows = await _apply_scope(
        ParticipantTable.select(ParticipantTable.id).where(ParticipantTable.archived_at.is_null()), scope
    )
    return [r["id"] for r in rows]


async def code_exists(code: str) -> bool:
    return bool(await ParticipantTable.exists().where(ParticipantTable.code == code))


async def insert_participant(values: dict[str, Any], now: datetime) -> UUID:
    participant_id = uuid4()
    await ParticipantTable.insert(
        ParticipantTable(id=participant_id, created_at=now, updated_at=now, **values)
    )
    return participant_id


async def update_participant(
    participant_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime
) -> int:
    return await versioned_update(
        ParticipantTable, participant_id, values, expected_version=expected_version, now=now
    )


async def set_mentors(participant_id: UUID, assignments: dict[MentorRole, UUID | None], now: datetime) -> bool:
    """End the current assignments that change and start the new ones. Returns whether anything changed."""
    current = {
        MentorRole(r["role"]): (r["id"], r["mentor"])
        for r in await MentorAssignmentTable.select().where(
            (MentorAssignmentTable.participant == participant_id) & MentorAssignmentTable.valid_to.is_null()
        )
    }
    changed = False
    for role in (MentorRole.LEAD, MentorRole.CO):
        wanted = assignments.get(role)
        existing = current.get(role)
        if existing is not None and existing[1] == wanted:
            continue
        if existing is not None:
            await MentorAssignmentTable.update(
                {MentorAssignmentTable.valid_to: now, MentorAssignmentTable.updated_at: now}
            ).where(MentorAssignmentTable.id == existing[0])
            changed = True
        if wanted is not None:
            await MentorAssignmentTable.insert(
                MentorAssignmentTable(
                    id=uuid4(),
                    participant=participant_id,
                    mentor=wanted,
                    role=role.value,
                    valid_from=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            changed = True
    return changed


async def is_current_mentor(participant_id: UUID, mentor_id: UUID) -> bool:
    return bool(
        await MentorAssignmentTable.exists().where(
            (MentorAssignmentTable.participant == participant_id)
            & (MentorAssignmentTable.mentor == mentor_id)
            & MentorAssignmentTable.valid_to.is_null()
        )
    )


async def active_users_with_role(ids: list[UUID], role: str) -> set[UUID]:
    if not ids:
        return set()
    rows = await UserTable.select(UserTable.id).where(
        UserTable.id.is_in(ids) & (UserTable.role == role) & (UserTable.active == True)  # noqa: E712
    )
    return {r["id"] for r in rows}


async def delete_participant(participant_id: UUID) -> None:
    """Hard delete: every dependent row goes with it (ON DELETE CASCADE). The audit log stays."""
    await ParticipantTable.delete().where(ParticipantTable.id == participant_id)


async def closed_before(cutoff: datetime) -> list[UUID]:
    rows = await ParticipantTable.select(ParticipantTable.id).where(
        ParticipantTable.closed_at.is_not_null() & (ParticipantTable.closed_at < cutoff)
    )
    return [r["id"] for r in rows]


