"""Programme statistics for coordinators: aggregates without small numbers, as data, CSV and SVG charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from prison_liaison import clock
from prison_liaison.exports import charts
from prison_liaison.persistence import statistics as statistics_repo
from prison_liaison.planning.errors import NotFound
from prison_liaison.planning.models import Role
from prison_liaison.planning.statistics import Statistics, build_statistics, check_period, default_period
from prison_liaison.services import access, audit
from prison_liaison.services.context import Caller

CHART_NAMES = ("stages", "referrals", "releases", "visits")


async def _compute(
    caller: Caller, start: date | None, end: date | None, action: str, **detail: Any
) -> Statistics:
    access.require_role(caller, Role.COORDINATOR)
    today = clock.today()
    end = end or today
    if start is None:
        check_period(end, end, today=today)
        start = default_period(end)[0]
    check_period(start, end, today=today)
    stats = build_statistics(await statistics_repo.load_facts(until=end), start, end)
    await audit.record(
        caller, action, subject_type="statistics", period_from=start, period_to=end, **detail
    )
    return stats


async def programme_statistics(
    caller: Caller, start: date | None = None, end: date | None = None
) -> Statistics:
    """The aggregates of [start, end] (default: the last twelve months up to today)."""
    return await _compute(caller, start, end, "statistics.read")


async def statistics_csv(
    caller: Caller, start: date | None = None, end: date | None = None
) -> tuple[bytes, Statistics]:
    stats = await _compute(caller, start, end, "statistics.exported", format="csv")
    return charts.statistics_csv(stats), stats


async def statistics_chart(
    caller: Caller, name: str, start: date | None = None, end: date | None = None
) -> bytes:
    """One SVG chart of the statistics page (for the web UI, which embeds it)."""
    if name not in CHART_NAMES:
        raise NotFound("no such chart")
    stats = await _compute(caller, start, end, "statistics.chart_read", chart=name)
    return charts.statistics_charts(stats)[name]


async def statistics_page(
    caller: Caller, start: date | None = None, end: date | None = None
) -> tuple[Statistics, dict[str, bytes]]:
    """The aggregates and every chart in one audited read (for the web UI's statistics page)."""
    stats = await _compute(caller, start, end, "statistics.read", view="page")
    return stats, charts.statistics_charts(stats)
