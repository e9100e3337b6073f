"""Sentences and the append-only release-date ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from prison_liaison.persistence.common import json_value, utc, versioned_update
from prison_liaison.persistence.tables import ReleaseDateEntryTable, SentenceTable, UserTable
from prison_liaison.planning.release_dates import Flag, LedgerEntry, Sentence, SentenceRecord, Term


def _sentence(row: dict[str, Any]) -> SentenceRecord:
    return SentenceRecord(
        id=row["id"],
        participant_id=row["participant"],
        sentence=Sentence(
            sentence_start=row["sentence_start"],
            term=Term(
                years=row["term_years"],
                months=row["term_months"],
                weeks=row["term_weeks"],
                days=row["term_days"],
            ),
            life=row["life"],
            pretrial_credit_days=row["pretrial_credit_days"],
            land=row["land"],
            youth=row["youth"],
            first_sentence=row["first_sentence"],
        ),
        court=row["court"],
        note=row["note"],
        version=row["version"],
        updated_at=utc(row["updated_at"]),
    )


def _sentence_values(s: Sentence) -> dict[str, Any]:
    return {
        "sentence_start": s.sentence_start,
        "term_years": s.term.years,
        "term_months": s.term.months,
        "term_weeks": s.term.weeks,
        "term_days": s.term.days,
        "life": s.life,
        "pretrial_credit_days": s.pretrial_credit_days,
        "land": s.land,
        "youth": s.youth,
        "first_sentence": s.first_sentence,
    }


async def get_sentence(participant_id: UUID) -> SentenceRecord | None:
    row = await SentenceTable.select().where(SentenceTable.participant == participant_id).first()
    return _sentence(row) if row else None


async def save_sentence(
    participant_id: UUID,
    sentence: Sentence,
    *,
    court: str,
    note: str,
    expected_version: int | None,
    now: datetime,
) -> None:
    """One sentence record per participant: created on first save, then updated (versioned)."""
    values = {**_sentence_values(sentence), "court": court, "note": note}
    existing = (
        await SentenceTable.select(SentenceTable.id)
        .where(SentenceTable.participant == participant_id)
        .first()
    )
    if existing is None:
        await SentenceTable.insert(
            SentenceTable(id=uuid4(), participant=participant_id, created_at=now, updated_at=now, **values)
        )
        return
    await versioned_update(SentenceTable, existing["id"], values, expected_version=expected_version, now=now)


def _flags(value: Any) -> tuple[Flag, ...]:
    value = json_value(value)
    if not value:
        return ()
    return tuple(msgspec.convert(value, list[Flag]))


def _entry(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        kind=row["kind"],
        date=row["date"],
        source=row["source"],
        note=row["note"],
        flags=_flags(row["flags"]),
        previous_date=row["previous_date"],
        recorded_by=row["recorded_by"],
        recorded_by_name=row.get("recorded_by_name") or "",
        recorded_at=utc(row["recorded_at"]),  # type: ignore[arg-type]
        replan_diff=json_value(row["replan_diff"]) or {},
    )


async def list_entries(participant_id: UUID) -> list[LedgerEntry]:
    """The whole ledger, oldest first."""
    rows = (
        await ReleaseDateEntryTable.select(
            *ReleaseDateEntryTable.all_columns(),
            ReleaseDateEntryTable.recorded_by.display_name.as_alias("recorded_by_name"),
        )
        .where(ReleaseDateEntryTable.participant == participant_id)
        .order_by(ReleaseDateEntryTable.recorded_at)
        .order_by(ReleaseDateEntryTable.created_at)
    )
    return [_entry(r) for r in rows]


async def list_entries_for(participant_ids: list[UUID]) -> dict[UUID, list[LedgerEntry]]:
    out: dict[UUID, list[LedgerEntry]] = {pid: [] for pid in participant_ids}
    if not participant_ids:
        return out
    rows = (
        await ReleaseDateEntryTable.select()
        .where(ReleaseDateEntryTable.participant.is_in(participant_ids))
        .order_by(ReleaseDateEntryTable.recorded_at)
    )
    for r in rows:
        out[r["participant"]].append(_entry(r))
    return out


async def insert_entry(
    participant_id: UUID,
    *,
    kind: str,
    day: date | None,
    source: str,
    note: str,
    flags: list[dict[str, Any]],
    previous_date: date | None,
    recorded_by: UUID | None,
    now: datetime,
) -> UUID:
    entry_id = uuid4()
    await ReleaseDateEntryTable.insert(
        ReleaseDateEntryTable(
            id=entry_id,
            participant=participant_id,
            kind=kind,
            date=day,
            source=source,
            note=note,
            flags=flags,
            previous_date=previous_date,
            replan_diff={},
            recorded_by=recorded_by,
            recorded_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    return entry_id


async def set_replan_diff(entry_id: UUID, diff: dict[str, Any]) -> None:
    """The one field written after insert, in the same transaction: what the new date moved."""
    await ReleaseDateEntryTable.update({ReleaseDateEntryTable.replan_diff: diff}).where(
        ReleaseDateEntryTable.id == entry_id
    )


async def user_names(ids: list[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    rows = await UserTable.select(UserTable.id, UserTable.display_name).where(UserTable.id.is_in(ids))
    return {r["id"]: r["display_name"] for r in rows}
