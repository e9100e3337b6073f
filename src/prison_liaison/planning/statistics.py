"""Programme statistics without small numbers. Pure: facts in, published aggregates out.

Every published count is either an ``int`` (0 or at least 5), ``"<5"`` (a count between 1 and 4) or ``"x"``
(withheld so that a small count elsewhere in the same breakdown cannot be worked out by subtraction).

Each table is made of independent *breakdowns*: cells that add up to a total (the open stages of the cases at
one month end, the closed cases of the period by how they closed, the referral sources of the period, the
releases or visits per month of the period, done and not done plan items of one domain in one month).
Primary suppression shows cells of 1–4 as "<5". Secondary suppression then looks at what a reader knows —
every "<5" cell is 1–4, the shown cells, the total (exact, "<5", or unknown when "x") — and withholds the
total whenever that knowledge would pin a suppressed cell to one value (one suppressed cell and an exact
total; or all suppressed cells forced to 1 or to 4). Facts about fewer than five people (a month's release
preparation, a median) are withheld as a whole. Month ends show open stages only, so that subtracting two
month ends never counts the people who arrived or closed in between.
"""

from __future__ import annotations

import calendar
import statistics as pystats
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

import msgspec

from prison_liaison.planning.errors import ValidationFailed

SMALL = "<5"
WITHHELD = "x"
MIN_SHOWN = 5
Published = Annotated[
    int | str,
    msgspec.Meta(
        description='a count: an integer (0 or at least 5), "<5" (between 1 and 4) or "x" (withheld so '
        "that a small count cannot be worked out by subtraction)",
        examples=[12, "<5", "x"],
    ),
]

STAGES = ("inquiry", "intake", "in_custody", "released", "completed", "withdrawn", "declined")
OPEN_STAGES = ("inquiry", "intake", "in_custody", "released")
CLOSED_STAGES = ("completed", "withdrawn", "declined")
SOURCES = ("self", "police", "justice", "prison", "other_programme", "other")
PLAN_DOMAINS = ("housing", "identity", "income", "health")
FIRST_VISIT_KIND = "prison_visit"


def is_small(count: int) -> bool:
    return 1 <= count < MIN_SHOWN


def protect_count(count: int) -> Published:
    """A count on its own (no total beside it): 1–4 becomes "<5"."""
    if count < 0:
        raise ValueError("counts are never negative")
    return SMALL if is_small(count) else count


def _pinned(k: int, total_min: int, total_max: int) -> bool:
    """Whether ``k`` unknown cells, each 1–4, adding up to a value in [total_min, total_max] force one of them
    to a single value."""
    if k == 0:
        return False
    low = max(1, total_min - (MIN_SHOWN - 1) * (k - 1))
    high = min(MIN_SHOWN - 1, total_max - (k - 1))
    return low >= high


class Breakdown(msgspec.Struct, frozen=True, kw_only=True):
    cells: dict[str, Published]
    total: Published


def protect_breakdown(cells: Mapping[str, int]) -> Breakdown:
    """Primary and secondary suppression of cells that add up to a total (see the module docstring)."""
    shown = {key: protect_count(value) for key, value in cells.items()}
    total = sum(cells.values())
    hidden = [value for value in cells.values() if is_small(value)]
    k, hidden_sum = len(hidden), sum(hidden)
    published_total: Published
    if k == 0:
        published_total = SMALL if is_small(total) else total
    elif is_small(total):
        # a reader learns only that the hidden cells add up to 1–4
        published_total = WITHHELD if _pinned(k, k, MIN_SHOWN - 1) else SMALL
    else:
        published_total = WITHHELD if _pinned(k, hidden_sum, hidden_sum) else total
    return Breakdown(cells=shown, total=published_total)


# --- facts in --------------------------------------------------------------------------------------------


class StageFact(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    on_date: date
    to_stage: str
    order: int = 0  # position in the case's history, for changes on the same day


class ReferralFact(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    received_on: date
    source: str


class PlanItemFact(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    domain: str
    done_on: date | None  # the day it was marked done, if it is done


class VisitFact(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    on: date  # local date of a completed visit
    kind: str = FIRST_VISIT_KIND


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    stages: tuple[StageFact, ...] = ()
    referrals: tuple[ReferralFact, ...] = ()
    plan_items: tuple[PlanItemFact, ...] = ()
    visits: tuple[VisitFact, ...] = ()


# --- aggregates out --------------------------------------------------------------------------------------


class StageRow(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    on: date
    stages: Breakdown


class MonthCount(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    count: Published


class ReleaseMonth(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    releases: Published
    # per domain: plan items done / not done by release day, of the people released that month
    domains: dict[str, Breakdown] | None


class Median(msgspec.Struct, frozen=True, kw_only=True):
    median_days: float | None  # None when fewer than five cases contribute
    cases: Published


class Statistics(msgspec.Struct, frozen=True, kw_only=True):
    from_date: date
    to_date: date
    months: tuple[str, ...]
    cases_by_stage: tuple[StageRow, ...]  # open stages at each month end; total = open cases
    closed_in_period: Breakdown  # completed / withdrawn / declined in the period
    referrals_by_source: Breakdown
    releases: tuple[ReleaseMonth, ...]
    releases_total: Published
    visits: tuple[MonthCount, ...]
    visits_total: Published
    inquiry_to_first_visit: Median


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_points(start: date, end: date) -> list[tuple[str, date]]:
    """Each month of [start, end] with the day its stock is counted: the month end, or ``end`` if earlier."""
    points = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        last = date(year, month, calendar.monthrange(year, month)[1])
        points.append((f"{year:04d}-{month:02d}", min(last, end)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points


def stages_on(facts: Iterable[StageFact], day: date) -> dict[UUID, str]:
    """Each case's stage at the end of ``day`` (cases that did not exist yet are absent)."""
    latest: dict[UUID, tuple[date, int, str]] = {}
    for f in facts:
        if f.on_date <= day:
            key = (f.on_date, f.order, f.to_stage)
            if f.participant_id not in latest or key[:2] >= latest[f.participant_id][:2]:
                latest[f.participant_id] = key
    return {pid: value[2] for pid, value in latest.items()}


def _first_inquiry(facts: Facts) -> dict[UUID, date]:
    first: dict[UUID, date] = {}
    for s in facts.stages:
        if s.to_stage == "inquiry" and (s.participant_id not in first or s.on_date < first[s.participant_id]):
            first[s.participant_id] = s.on_date
    for r in facts.referrals:
        if r.participant_id not in first or r.received_on < first[r.participant_id]:
            first[r.participant_id] = r.received_on
    return first


def inquiry_to_first_visit_days(facts: Facts, start: date, end: date) -> list[int]:
    """Days from the first contact to the first completed prison visit after it, for first visits in the
    period."""
    first_contact = _first_inquiry(facts)
    first_visit: dict[UUID, date] = {}
    for v in facts.visits:
        contact = first_contact.get(v.participant_id)
        if v.kind != FIRST_VISIT_KIND or contact is None or v.on < contact:
            continue
        if v.participant_id not in first_visit or v.on < first_visit[v.participant_id]:
            first_visit[v.participant_id] = v.on
    return sorted(
        (visit - first_contact[pid]).days for pid, visit in first_visit.items() if start <= visit <= end
    )


def protect_median(values: list[int]) -> Median:
    if len(values) < MIN_SHOWN:
        return Median(median_days=None, cases=protect_count(len(values)))
    return Median(median_days=float(pystats.median(values)), cases=len(values))


def build_statistics(facts: Facts, start: date, end: date) -> Statistics:
    """All aggregates of the period [start, end], small numbers suppressed."""
    points = month_points(start, end)
    months = tuple(key for key, _ in points)

    # Month-end stocks of the open stages only: cumulative counts (closed cases, all cases ever) would turn
    # the difference of two month ends into the number of people who closed or arrived that month.
    stage_rows = []
    for key, day in points:
        counts = Counter(stages_on(facts.stages, day).values())
        stage_rows.append(
            StageRow(month=key, on=day, stages=protect_breakdown({s: counts[s] for s in OPEN_STAGES}))
        )
    # cases closed in the period, by how (the last closing change in the period counts)
    closed: dict[UUID, str] = {}
    for f in sorted(facts.stages, key=lambda f: (f.on_date, f.order)):
        if start <= f.on_date <= end and f.to_stage in CLOSED_STAGES:
            closed[f.participant_id] = f.to_stage
    closed_counts = Counter(closed.values())
    closed_breakdown = protect_breakdown({s: closed_counts[s] for s in CLOSED_STAGES})

    sources = Counter(r.source for r in facts.referrals if start <= r.received_on <= end)
    referrals = protect_breakdown({s: sources[s] for s in SOURCES})

    released_on: dict[UUID, date] = {}
    for s in facts.stages:
        if s.to_stage == "released" and start <= s.on_date <= end:
            # the latest release in the period counts (a person back in custody and released again)
            released_on[s.participant_id] = max(s.on_date, released_on.get(s.participant_id, s.on_date))
    per_month = Counter(month_key(d) for d in released_on.values())
    releases_breakdown = protect_breakdown({m: per_month[m] for m in months})
    items_by_person: dict[UUID, list[PlanItemFact]] = {}
    for item in facts.plan_items:
        if item.participant_id in released_on and item.domain in PLAN_DOMAINS:
            items_by_person.setdefault(item.participant_id, []).append(item)
    release_rows = []
    for m in months:
        domains: dict[str, Breakdown] | None = None
        if per_month[m] >= MIN_SHOWN:
            done: Counter[str] = Counter()
            not_done: Counter[str] = Counter()
            for pid, day in released_on.items():
                if month_key(day) != m:
                    continue
                for item in items_by_person.get(pid, []):
                    if item.done_on is not None and item.done_on <= day:
                        done[item.domain] += 1
                    else:
                        not_done[item.domain] += 1
            domains = {d: protect_breakdown({"done": done[d], "not_done": not_done[d]}) for d in PLAN_DOMAINS}
        release_rows.append(ReleaseMonth(month=m, releases=releases_breakdown.cells[m], domains=domains))

    visit_months = Counter(month_key(v.on) for v in facts.visits if start <= v.on <= end)
    visits_breakdown = protect_breakdown({m: visit_months[m] for m in months})

    return Statistics(
        from_date=start,
        to_date=end,
        months=months,
        cases_by_stage=tuple(stage_rows),
        closed_in_period=closed_breakdown,
        referrals_by_source=referrals,
        releases=tuple(release_rows),
        releases_total=releases_breakdown.total,
        visits=tuple(MonthCount(month=m, count=visits_breakdown.cells[m]) for m in months),
        visits_total=visits_breakdown.total,
        inquiry_to_first_visit=protect_median(inquiry_to_first_visit_days(facts, start, end)),
    )


MAX_PERIOD_DAYS = 366 * 5


EARLIEST = date(2000, 1, 1)


def check_period(start: date, end: date, *, today: date) -> None:
    for field, day in (("from", start), ("to", end)):
        if not EARLIEST <= day <= today + timedelta(days=366):
            raise ValidationFailed(
                f"'{field}' must lie between {EARLIEST.isoformat()} and a year from today",
                code="period_out_of_range",
                field=field,
            )
    if start > end:
        raise ValidationFailed("'from' must not be after 'to'", code="period_reversed", field="from")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed("a period of at most five years", code="period_too_long", field="to")


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months including the current one."""
    year, month = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
    return date(year, month, 1), today


def csv_rows(stats: Statistics) -> list[tuple[str, str, str, str]]:
    """The same aggregates as rows (table, period, category, value) for the CSV export."""
    rows: list[tuple[str, str, str, str]] = []
    for row in stats.cases_by_stage:
        for stage, value in row.stages.cells.items():
            rows.append(("cases_by_stage", row.on.isoformat(), stage, str(value)))
        rows.append(("cases_by_stage", row.on.isoformat(), "total", str(row.stages.total)))
    period = f"{stats.from_date.isoformat()}/{stats.to_date.isoformat()}"
    for stage, value in stats.closed_in_period.cells.items():
        rows.append(("closed_in_period", period, stage, str(value)))
    rows.append(("closed_in_period", period, "total", str(stats.closed_in_period.total)))
    for source, value in stats.referrals_by_source.cells.items():
        rows.append(("referrals_by_source", period, source, str(value)))
    rows.append(("referrals_by_source", period, "total", str(stats.referrals_by_source.total)))
    for release in stats.releases:
        rows.append(("releases", release.month, "releases", str(release.releases)))
        for domain in PLAN_DOMAINS:
            if release.domains is None:
                for part in ("done", "not_done", "total"):
                    rows.append(("release_plan_items", release.month, f"{domain}.{part}", WITHHELD))
                continue
            breakdown = release.domains[domain]
            rows.append(("release_plan_items", release.month, f"{domain}.done", str(breakdown.cells["done"])))
            rows.append(
                ("release_plan_items", release.month, f"{domain}.not_done", str(breakdown.cells["not_done"]))
            )
            rows.append(("release_plan_items", release.month, f"{domain}.total", str(breakdown.total)))
    rows.append(("releases", period, "total", str(stats.releases_total)))
    for visit in stats.visits:
        rows.append(("visits", visit.month, "completed", str(visit.count)))
    rows.append(("visits", period, "total", str(stats.visits_total)))
    median = stats.inquiry_to_first_visit
    rows.append(
        (
            "inquiry_to_first_visit",
            period,
            "median_days",
            WITHHELD if median.median_days is None else f"{median.median_days:g}",
        )
    )
    rows.append(("inquiry_to_first_visit", period, "cases", str(median.cases)))
    return rows
