"""Release dates per participant: the sentence, the append-only ledger, the planning date and replanning."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import msgspec

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.persistence import participants as participants_repo
from prison_liaison.persistence import plans as plans_repo
from prison_liaison.persistence import release_dates as repo
from prison_liaison.planning import plans as plan_rules
from prison_liaison.planning import release_dates as rules
from prison_liaison.planning.errors import NotFound, PreconditionRequired
from prison_liaison.planning.models import Participant, Role
from prison_liaison.planning.release_dates import Calculation, LedgerEntry, Sentence, SentenceRecord
from prison_liaison.services import access, audit
from prison_liaison.services import plans as plans_service
from prison_liaison.services import visits as visits_service
from prison_liaison.services.context import Caller


class ReleaseDates(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    planning_date: date | None
    planning_source: str
    planning_basis: str
    sentence: SentenceRecord | None
    calculation: Calculation | None
    entries: list[LedgerEntry]


class Recorded(msgspec.Struct, frozen=True, kw_only=True):
    release_dates: ReleaseDates
    entries: list[LedgerEntry]  # the entries this write appended
    replan: dict[str, Any] | None  # None when the planning date and every window stayed put


def calculate(caller: Caller, sentence: Sentence) -> Calculation:
    """The calculator: no participant data, no audit needed."""
    access.require_user(caller)
    return rules.calculate(sentence)


async def _load(caller: Caller, participant_id: UUID, *, write: bool) -> Participant:
    participant, _ = await access.load_participant(caller, participant_id, write=write)
    if caller.role == Role.PRISON_STAFF:
        # the prison has its own official calculation; our ledger holds mentors' notes
        raise NotFound("participant not found")
    return participant


async def _view(participant: Participant, planning_date: date | None = None) -> ReleaseDates:
    entries = await repo.list_entries(participant.id)
    sentence = await repo.get_sentence(participant.id)
    pd, source = rules.planning_date(entries, participant.planning_basis)
    calc = rules.calculate(sentence.sentence) if sentence else None
    return ReleaseDates(
        participant_id=participant.id,
        planning_date=pd,
        planning_source=source,
        planning_basis=participant.planning_basis,
        sentence=sentence,
        calculation=calc,
        entries=list(reversed(entries)),
    )


async def get_release_dates(caller: Caller, participant_id: UUID) -> ReleaseDates:
    participant = await _load(caller, participant_id, write=False)
    view = await _view(participant)
    await audit.record(
        caller,
        "release_dates.read",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
    )
    return view


async def replan(caller: Caller, participant: Participant, now: datetime) -> tuple[date | None, dict[str, Any] | None]:
    """Re-derive the planning date and every derived window from the ledger (in the caller's transaction)."""
    entries = await repo.list_entries(participant.id)
    new_date, _ = rules.planning_date(entries, participant.planning_basis)
    old_date = participant.planning_date
    if new_date != old_date:
        await participants_repo.update_participant(
            participant.id, {"planning_date": new_date}, expected_version=None, now=now
        )
    moves = await plans_service.reflow(msgspec.structs.replace(participant, planning_date=new_date), now)
    visits: list[dict[str, Any]] = []
    if new_date is not None and new_date != old_date:
        # visits on or after the release day no longer happen in prison; only those still ahead of us
        start_of_release_day = datetime.combine(new_date, time(0), tzinfo=clock.BERLIN)
        visits = await plans_repo.visits_after(participant.id, max(start_of_release_day, now))
        if old_date is None or new_date < old_date:
            await visits_service.flag_after_release_date(caller, participant.id, new_date)
    if new_date == old_date and not moves:
        return new_date, None
    return new_date, plan_rules.replan_diff(old_date, new_date, moves, visits)


async def record_entry(
    caller: Caller, participant_id: UUID, *, kind: str, source: str, day: date | None, note: str = ""
) -> Recorded:
    """Append an official date or a mentor's estimate; official dates override computed ones."""
    rules.check_entry(kind, source, day, note)
    now = clock.now()
    async with db.transaction():
        participant = await _load(caller, participant_id, write=True)
        await plans_repo.lock_plan(participant_id)
        participant = await _load(caller, participant_id, write=True)  # the cached planning date, now locked
        before = await repo.list_entries(participant_id)
        previous = rules.best_date(before, kind)
        entry_id = await repo.insert_entry(
            participant_id,
            kind=kind,
            day=day,
            source=source,
            note=note,
            flags=[],
            previous_date=previous,
            recorded_by=caller.user_id,
            now=now,
        )
        new_date, diff = await replan(caller, participant, now)
        if diff is not None:
            await repo.set_replan_diff(entry_id, diff)
        await audit.record(
            caller,
            "release_date.recorded",
            subject_type="release_date_entry",
            subject_id=entry_id,
            participant_id=participant_id,
            kind=kind,
            source=source,
            date=day,
            previous_date=previous,
            planning_date=new_date,
            replan=diff["summary"] if diff else "",
        )
        view = await _view(participant)
    return Recorded(release_dates=view, entries=[e for e in view.entries if e.id == entry_id], replan=diff)


async def set_sentence(
    caller: Caller,
    participant_id: UUID,
    sentence: Sentence,
    *,
    court: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Recorded:
    """Save the sentence and append a computed ledger entry for every date that changed."""
    if not sentence.land:
        sentence = msgspec.structs.replace(sentence, land=await plans_repo.participant_land(participant_id))
    calc = rules.calculate(sentence)  # validates before anything is written
    now = clock.now()
    async with db.transaction():
        await _load(caller, participant_id, write=True)
        await plans_repo.lock_plan(participant_id)
        participant = await _load(caller, participant_id, write=True)  # the cached planning date, now locked
        existing = await repo.get_sentence(participant_id)
        if existing is not None and expected_version is None:
            raise PreconditionRequired("send If-Match with the ETag of the sentence you are changing", field="If-Match")
        await repo.save_sentence(
            participant_id, sentence, court=court, note=note, expected_version=expected_version, now=now
        )
        before = await repo.list_entries(participant_id)
        current = rules.current_entries(before)
        flags_by_kind: dict[str | None, list[dict[str, Any]]] = {}
        for f in calc.flags:
            flags_by_kind.setdefault(f.kind, []).append(msgspec.to_builtins(f))
        new_ids = []
        for kind, value in rules.computed_dates(calc).items():
            old = current.get((kind, rules.DateSource.COMPUTED))
            if old is not None and old.date == value:
                continue
            if old is None and value is None:
                continue
            new_ids.append(
                await repo.insert_entry(
                    participant_id,
                    kind=kind,
                    day=value,
                    source="computed",
                    note="aus dem Strafurteil berechnet",
                    flags=flags_by_kind.get(kind, []),
                    previous_date=old.date if old else None,
                    recorded_by=caller.user_id,
                    now=now,
                )
            )
        new_date, diff = await replan(caller, participant, now)
        if diff is not None and new_ids:
            await repo.set_replan_diff(new_ids[0], diff)
        await audit.record(
            caller,
            "sentence.saved",
            subject_type="participant",
            subject_id=participant_id,
            participant_id=participant_id,
            entries=len(new_ids),
            planning_date=new_date,
        )
        view = await _view(participant)
    return Recorded(release_dates=view, entries=[e for e in view.entries if e.id in set(new_ids)], replan=diff)


async def get_sentence(caller: Caller, participant_id: UUID) -> SentenceRecord:
    await _load(caller, participant_id, write=False)
    record = await repo.get_sentence(participant_id)
    if record is None:
        raise NotFound("no sentence recorded yet")
    await audit.record(
        caller,
        "sentence.read",
        subject_type="participant",
        subject_id=participant_id,
        participant_id=participant_id,
    )
    return record
