"""Programme statistics (coordinators only; for everyone else the resource does not exist).

Counts are integers (0 or at least 5), the string "<5" (1–4) or the string "x" (withheld so that a small count
cannot be worked out by subtraction).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from prison_liaison.planning.statistics import Statistics
from prison_liaison.services import statistics as statistics_service
from prison_liaison.services.context import Caller

From = Annotated[date | None, QueryParameter(name="from", description="first day (default: 12 months back)")]
To = Annotated[date | None, QueryParameter(name="to", description="last day (default: today)")]
ChartName = Literal["stages", "referrals", "releases", "visits"]


class StatisticsController(Controller):
    path = "/api/v1/statistics"
    tags = ["statistics"]

    @get("/", operation_id="getStatistics")
    async def get_statistics(
        self, caller: NamedDependency[Caller], start: From = None, end: To = None
    ) -> Statistics:
        """Cases by stage per month end, referrals by source, releases, visits, median days to first visit."""
        return await statistics_service.programme_statistics(caller, start, end)

    @get("/charts/{name:str}", operation_id="getStatisticsChart", media_type="image/svg+xml")
    async def get_chart(
        self, name: FromPath[ChartName], caller: NamedDependency[Caller], start: From = None, end: To = None
    ) -> Response[bytes]:
        """One statistics chart as an accessible SVG (stages, referrals, releases, visits)."""
        svg = await statistics_service.statistics_chart(caller, name, start, end)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@get("/api/v1/statistics.csv", operation_id="exportStatisticsCsv", media_type="text/csv", tags=["statistics"])
async def statistics_csv(
    caller: NamedDependency[Caller], start: From = None, end: To = None
) -> Response[bytes]:
    """The same aggregates as CSV: table, period, category, value."""
    body, stats = await statistics_service.statistics_csv(caller, start, end)
    filename = f"statistik-{stats.from_date.isoformat()}-{stats.to_date.isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
