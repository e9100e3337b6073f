"""The facts programme statistics are computed from: stage history, referrals, plan items, completed visits.

Only what aggregation needs leaves this module (ids, dates, categories) — no names, no notes, no contacts.
Archived cases count in the history they belong to; purged cases are gone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from prison_liaison.persistence.common import utc
from prison_liaison.persistence.intake import in_history_order
from prison_liaison.persistence.tables import (
    ParticipantTable,
    PlanItemTable,
    ReferralTable,
    StageChangeTable,
    VisitTable,
)
from prison_liaison.planning.statistics import (
    PLAN_DOMAINS,
    Facts,
    PlanItemFact,
    ReferralFact,
    StageFact,
    VisitFact,
)

LOCAL = ZoneInfo("Europe/Berlin")


def _local_date(value: datetime | None) -> date | None:
    instant = utc(value)
    return instant.astimezone(LOCAL).date() if instant is not None else None


async def load_facts(*, until: date) -> Facts:
    """Everything up to ``until`` (inclusive) that the statistics of any period ending then can use."""
    rows = await StageChangeTable.select(
        StageChangeTable.participant,
        StageChangeTable.from_stage,
        StageChangeTable.to_stage,
        StageChangeTable.on_date,
        StageChangeTable.created_at,
    ).where(StageChangeTable.on_date <= until)
    by_participant: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_participant[r["participant"]].append(r)
    stages = [
        StageFact(participant_id=pid, on_date=r["on_date"], to_stage=r["to_stage"], order=i)
        for pid, history in by_participant.items()
        for i, r in enumerate(in_history_order(history))
    ]
    # cases from before stage history was recorded: their current stage since they were registered
    legacy = await ParticipantTable.select(
        ParticipantTable.id,
        ParticipantTable.status,
        ParticipantTable.status_since,
        ParticipantTable.created_at,
    ).where(ParticipantTable.id.not_in(StageChangeTable.select(StageChangeTable.participant)))
    for r in legacy:
        since = r["status_since"] or _local_date(r["created_at"])
        if since is not None and since <= until:
            stages.append(StageFact(participant_id=r["id"], on_date=since, to_stage=r["status"]))

    referrals = [
        ReferralFact(participant_id=r["participant"], received_on=r["received_on"], source=r["source"])
        for r in await ReferralTable.select(
            ReferralTable.participant, ReferralTable.received_on, ReferralTable.source
        ).where(ReferralTable.received_on <= until)
    ]
    plan_items = [
        PlanItemFact(
            participant_id=r["participant"],
            domain=r["domain"],
            done_on=_local_date(r["status_at"]) if r["status"] == "done" else None,
        )
        for r in await PlanItemTable.select(
            PlanItemTable.participant, PlanItemTable.domain, PlanItemTable.status, PlanItemTable.status_at
        ).where(PlanItemTable.domain.is_in(list(PLAN_DOMAINS)))
    ]
    end = datetime(until.year, until.month, until.day, tzinfo=LOCAL) + timedelta(days=1)
    visits = []
    for r in await VisitTable.select(VisitTable.participant, VisitTable.starts_at, VisitTable.kind).where(
        (VisitTable.status == "completed") & (VisitTable.starts_at < end)
    ):
        day = _local_date(r["starts_at"])
        if day is not None:
            visits.append(VisitFact(participant_id=r["participant"], on=day, kind=r["kind"]))
    return Facts(
        stages=tuple(stages), referrals=tuple(referrals), plan_items=tuple(plan_items), visits=tuple(visits)
    )
