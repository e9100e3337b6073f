"""Stage history, referrals and the intake queue. Organisation and contact stay encrypted here; the service
decrypts them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from prison_liaison.persistence.common import utc, versioned_update
from prison_liaison.persistence.tables import (
    MentorAssignmentTable,
    ParticipantTable,
    ReferralTable,
    StageChangeTable,
)
from prison_liaison.planning.intake import StageChange
from prison_liaison.planning.models import ParticipantStatus


def _stage_change(row: dict[str, Any]) -> StageChange:
    return StageChange(
        id=row["id"],
        participant_id=row["participant"],
        from_stage=ParticipantStatus(row["from_stage"]) if row["from_stage"] else None,
        to_stage=ParticipantStatus(row["to_stage"]),
        on_date=row["on_date"],
        reason=row["reason"],
        actor_id=row["actor"],
        actor_name=row.get("actor_name") or "",
        recorded_at=utc(row["created_at"]),
    )


async def insert_stage_change(
    participant_id: UUID,
    *,
    from_stage: str | None,
    to_stage: str,
    on_date: date,
    reason: str,
    actor_id: UUID | None,
    now: datetime,
) -> UUID:
    change_id = uuid4()
    await StageChangeTable.insert(
        StageChangeTable(
            id=change_id,
            participant=participant_id,
            from_stage=from_stage or "",
            to_stage=to_stage,
            on_date=on_date,
            reason=reason,
            actor=actor_id,
            created_at=now,
            updated_at=now,
        )
    )
    return change_id


async def stage_history(participant_id: UUID) -> list[StageChange]:
    rows = await StageChangeTable.select(
        StageChangeTable.all_columns(),  # type: ignore[arg-type]
        StageChangeTable.actor.display_name.as_alias("actor_name"),
    ).where(StageChangeTable.participant == participant_id)
    return [_stage_change(r) for r in in_history_order(list(rows))]


def in_history_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By day, then by when recorded; changes recorded at the same instant follow their from → to chain."""

    def key(r: dict[str, Any]) -> tuple[date, datetime | None]:
        return r["on_date"], utc(r["created_at"])

    remaining = sorted(rows, key=key)
    ordered: list[dict[str, Any]] = []
    previous = ""
    while remaining:
        tied = [r for r in remaining if key(r) == key(remaining[0])]
        pick = next((r for r in tied if r["from_stage"] == previous), tied[0])
        ordered.append(pick)
        remaining.remove(pick)
        previous = pick["to_stage"]
    return ordered


async def last_stage_date(participant_id: UUID) -> date | None:
    row = (
        await StageChangeTable.select(StageChangeTable.on_date)
        .where(StageChangeTable.participant == participant_id)
        .order_by(StageChangeTable.on_date, ascending=False)
        .first()
    )
    return row["on_date"] if row else None


# --- referrals --------------------------------------------------------------------------------------------


async def insert_referral(participant_id: UUID, values: dict[str, Any], now: datetime) -> UUID:
    referral_id = uuid4()
    await ReferralTable.insert(
        ReferralTable(id=referral_id, participant=participant_id, created_at=now, updated_at=now, **values)
    )
    return referral_id


async def get_referral(participant_id: UUID) -> dict[str, Any] | None:
    """The (latest) referral of a participant as a row with encrypted organisation and contact."""
    return (
        await ReferralTable.select()
        .where(ReferralTable.participant == participant_id)
        .order_by(ReferralTable.created_at, ascending=False)
        .first()
    )


async def update_referral(
    referral_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime
) -> int:
    return await versioned_update(
        ReferralTable, referral_id, values, expected_version=expected_version, now=now
    )


async def codes_like(prefix: str) -> list[str]:
    rows = await ParticipantTable.select(ParticipantTable.code).where(
        ParticipantTable.code.like(prefix + "%")
    )
    return [r["code"] for r in rows]


# --- the intake queue ------------------------------------------------------------------------------------


async def open_intake_cases(stages: list[str]) -> list[dict[str, Any]]:
    """Participants at the given stages (not archived) with their referral, first stage date and mentor count.

    Three queries whatever the number of cases.
    """
    rows = await ParticipantTable.select(
        ParticipantTable.id,
        ParticipantTable.code,
        ParticipantTable.first_name,
        ParticipantTable.last_name,
        ParticipantTable.status,
        ParticipantTable.status_since,
        ParticipantTable.prison,
        ParticipantTable.created_at,
        ParticipantTable.version,
    ).where(ParticipantTable.status.is_in(stages) & ParticipantTable.archived_at.is_null())
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    referrals: dict[UUID, dict[str, Any]] = {}
    for r in (
        await ReferralTable.select(
            ReferralTable.participant,
            ReferralTable.source,
            ReferralTable.source_text,
            ReferralTable.received_on,
            ReferralTable.consent_date,
            ReferralTable.created_at,
        )
        .where(ReferralTable.participant.is_in(ids))
        .order_by(ReferralTable.created_at)
    ):
        referrals[r["participant"]] = r  # the latest wins
    mentor_counts: dict[UUID, int] = {}
    for r in await MentorAssignmentTable.select(MentorAssignmentTable.participant).where(
        MentorAssignmentTable.participant.is_in(ids) & MentorAssignmentTable.valid_to.is_null()
    ):
        mentor_counts[r["participant"]] = mentor_counts.get(r["participant"], 0) + 1
    first_dates: dict[UUID, date] = {}
    for r in await StageChangeTable.select(StageChangeTable.participant, StageChangeTable.on_date).where(
        StageChangeTable.participant.is_in(ids)
    ):
        pid = r["participant"]
        if pid not in first_dates or r["on_date"] < first_dates[pid]:
            first_dates[pid] = r["on_date"]
    out = []
    for r in rows:
        out.append(
            {
                **r,
                "created_at": utc(r["created_at"]),
                "referral": referrals.get(r["id"]),
                "mentor_count": mentor_counts.get(r["id"], 0),
                "first_stage_on": first_dates.get(r["id"]),
            }
        )
    return out
