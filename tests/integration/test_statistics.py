"""Programme statistics over HTTP: the done-when scenario, releases and visits, CSV, charts, access, audit."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from prison_liaison.persistence.tables import AuditEventTable, PlanItemTable, VisitTable
from prison_liaison.services import statistics as statistics_service
from prison_liaison.services.context import Caller
from tests.support import login


async def _stage(world, pid: str, to_stage: str, on_date: str | None = None) -> None:
    body = {"to_stage": to_stage} | ({"on_date": on_date} if on_date else {})
    response = await world.post("coordinator", f"/api/v1/participants/{pid}/stage", json=body)
    assert response.status_code == 200, response.text


async def test_police_referral_through_intake_into_custody_shows_in_statistics(fixed_clock, world) -> None:
    # a coordinator records a police referral in January ...
    created = await world.post(
        "coordinator",
        "/api/v1/referrals",
        json={
            "source": "police",
            "organisation": "PP Musterstadt",
            "contact": "KHK Beispiel",
            "received_on": "2026-01-20",
        },
    )
    assert created.status_code == 201, created.text
    pid = created.json()["participant"]["id"]
    # ... the first meeting in February starts the intake, consent is given, the prison recorded ...
    await _stage(world, pid, "intake", "2026-02-05")
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}/referral",
        json={"consent_date": "2026-02-05", "consent_form": "schriftlich v3"},
    )
    current = await world.get("coordinator", f"/api/v1/participants/{pid}")
    await world.patch(
        "coordinator",
        f"/api/v1/participants/{pid}",
        json={"prison_id": str(world.prisons["JVA-B"])},
        headers={"If-Match": current.headers["ETag"]},
    )
    # ... and assigning the two mentors in March moves it into custody care
    moved = await world.put(
        "coordinator",
        f"/api/v1/participants/{pid}/mentors",
        json={"lead_id": str(world.users["mentor1"].id), "co_id": str(world.users["mentor3"].id)},
    )
    assert moved.json()["status"] == "in_custody"

    response = await world.get(
        "coordinator", "/api/v1/statistics", params={"from": "2026-01-01", "to": "2026-03-10"}
    )
    assert response.status_code == 200, response.text
    stats = response.json()
    rows = {row["month"]: row for row in stats["cases_by_stage"]}
    assert [(m, rows[m]["on"]) for m in stats["months"]] == [
        ("2026-01", "2026-01-31"),
        ("2026-02", "2026-02-28"),
        ("2026-03", "2026-03-10"),
    ]
    # one case: shown as "<5", never as 1, and so is the total of open cases
    assert rows["2026-01"]["stages"] == {
        "cells": {
            "inquiry": "<5",
            "intake": 0,
            "in_custody": 0,
            "released": 0,
        },
        "total": "<5",
    }
    assert rows["2026-02"]["stages"]["cells"]["intake"] == "<5"
    assert rows["2026-02"]["stages"]["cells"]["inquiry"] == 0
    # in March it joined the four cases of the test world in custody: five can be shown
    assert rows["2026-03"]["stages"] == {
        "cells": {
            "inquiry": 0,
            "intake": 0,
            "in_custody": 5,
            "released": 0,
        },
        "total": 5,
    }
    assert stats["referrals_by_source"] == {
        "cells": {"self": 0, "police": "<5", "justice": 0, "prison": 0, "other_programme": 0, "other": 0},
        "total": "<5",
    }
    assert stats["closed_in_period"] == {"cells": {"completed": 0, "withdrawn": 0, "declined": 0}, "total": 0}
    assert stats["inquiry_to_first_visit"] == {"median_days": None, "cases": 0}


async def test_statistics_releases_plan_items_visits_and_median(fixed_clock, world) -> None:
    pids = []
    for day in range(5):
        created = await world.post(
            "coordinator",
            "/api/v1/referrals",
            json={"source": "self", "received_on": f"2026-01-{10 + day:02d}"},
        )
        pids.append(created.json()["participant"]["id"])
    now = datetime(2026, 3, 10, 8, tzinfo=UTC)
    for i, pid in enumerate(pids):
        for j in range(2):  # first visit 20 + i days after the first contact, then another one
            starts = datetime(2026, 1, 10 + i, 9, tzinfo=UTC) + timedelta(days=20 + i + j * 14)
            await VisitTable.insert(
                VisitTable(
                    id=uuid4(),
                    participant=pid,
                    prison=world.prisons["JVA-A"],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    status="completed",
                    created_at=now,
                    updated_at=now,
                )
            )
    # a planned visit does not count
    await VisitTable.insert(
        VisitTable(
            id=uuid4(),
            participant=pids[0],
            starts_at=now,
            ends_at=now,
            status="planned",
            created_at=now,
            updated_at=now,
        )
    )
    # in April the four world cases and one more are released
    fixed_clock.instant = datetime(2026, 4, 20, 8, tzinfo=UTC)
    world.tokens["coordinator"] = await login(world.client, "coordinator")  # the March token has expired
    extra = await world.post(
        "coordinator",
        "/api/v1/participants",
        json={"code": "T-0005", "prison_id": str(world.prisons["JVA-A"])},
    )
    assert extra.status_code == 201, extra.text
    released = [str(p) for p in world.participants.values()] + [extra.json()["id"]]
    for pid in released:
        for domain, status_at in (
            ("housing", datetime(2026, 4, 1, tzinfo=UTC)),
            ("identity", None),
            ("finances", datetime(2026, 4, 1, tzinfo=UTC)),
        ):
            await PlanItemTable.insert(
                PlanItemTable(
                    id=uuid4(),
                    participant=pid,
                    domain=domain,
                    title_de=domain,
                    status="done" if status_at else "open",
                    status_at=status_at,
                    created_at=now,
                    updated_at=now,
                )
            )
        await _stage(world, pid, "released")

    response = await world.get(
        "coordinator", "/api/v1/statistics", params={"from": "2026-01-01", "to": "2026-04-20"}
    )
    stats = response.json()
    assert [(r["month"], r["releases"]) for r in stats["releases"]] == [
        ("2026-01", 0),
        ("2026-02", 0),
        ("2026-03", 0),
        ("2026-04", 5),
    ]
    assert stats["releases_total"] == 5
    april = stats["releases"][3]["domains"]
    assert april["housing"] == {"cells": {"done": 5, "not_done": 0}, "total": 5}
    assert april["identity"] == {"cells": {"done": 0, "not_done": 5}, "total": 5}
    assert april["income"] == {"cells": {"done": 0, "not_done": 0}, "total": 0}
    assert stats["releases"][0]["domains"] is None
    # visits: first ones 30 Jan – 7 Feb, second ones two weeks later; the one January visit is hidden, and so
    # is the total, which would give it away
    assert [(v["month"], v["count"]) for v in stats["visits"]] == [
        ("2026-01", "<5"),
        ("2026-02", 9),
        ("2026-03", 0),
        ("2026-04", 0),
    ]
    assert stats["visits_total"] == "x"
    assert stats["inquiry_to_first_visit"] == {"median_days": 22.0, "cases": 5}


async def test_statistics_only_for_coordinators(fixed_clock, world) -> None:
    for user in ("mentor1", "prison1"):
        for url in ("/api/v1/statistics", "/api/v1/statistics.csv", "/api/v1/statistics/charts/stages"):
            response = await world.get(user, url)
            assert response.status_code == 404, (user, url)
            assert response.json()["code"] == "not_found"


async def test_statistics_bad_period_is_422(fixed_clock, world) -> None:
    response = await world.get(
        "coordinator", "/api/v1/statistics", params={"from": "2026-03-01", "to": "2026-01-01"}
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("period_reversed", "from")
    for params in ({"to": "0001-01-05"}, {"from": "2026-01-01", "to": "9999-12-31"}):
        response = await world.get("coordinator", "/api/v1/statistics", params=params)
        assert (response.status_code, response.json()["code"]) == (422, "period_out_of_range")
    response = await world.get("coordinator", "/api/v1/statistics", params={"from": "kaputt"})
    assert response.status_code == 400


async def test_statistics_default_period_is_last_twelve_months(fixed_clock, world) -> None:
    stats = (await world.get("coordinator", "/api/v1/statistics")).json()
    assert (stats["from_date"], stats["to_date"]) == ("2025-04-01", "2026-03-10")
    assert len(stats["months"]) == 12


async def test_statistics_csv_has_the_same_aggregates(fixed_clock, world) -> None:
    await world.post(
        "coordinator", "/api/v1/referrals", json={"source": "prison", "received_on": "2026-02-02"}
    )
    response = await world.get(
        "coordinator", "/api/v1/statistics.csv", params={"from": "2026-01-01", "to": "2026-03-10"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="statistik-2026-01-01-2026-03-10.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["table", "period", "category", "value"]
    assert ["referrals_by_source", "2026-01-01/2026-03-10", "prison", "<5"] in rows
    assert ["cases_by_stage", "2026-03-10", "in_custody", "<5"] in rows  # the four world cases
    assert not [r for r in rows[1:] if r[3] in {"1", "2", "3", "4"}]


async def test_statistics_chart_is_accessible_svg(fixed_clock, world) -> None:
    await world.post(
        "coordinator", "/api/v1/referrals", json={"source": "police", "received_on": "2026-02-02"}
    )
    response = await world.get(
        "coordinator",
        "/api/v1/statistics/charts/referrals",
        params={"from": "2026-01-01", "to": "2026-03-10"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    assert 'role="img"' in svg
    assert '<title id="chart-referrals-title">Zuweisungen nach Quelle</title>' in svg
    assert "Polizei: &lt; 5" in svg  # in the description for screen readers
    unknown = await world.get("coordinator", "/api/v1/statistics/charts/names")
    assert unknown.status_code == 400


async def test_statistics_reads_are_audited(fixed_clock, world) -> None:
    await world.get("coordinator", "/api/v1/statistics", params={"from": "2026-01-01", "to": "2026-03-10"})
    await world.get("coordinator", "/api/v1/statistics.csv")
    rows = (
        await AuditEventTable.select(AuditEventTable.action, AuditEventTable.detail)
        .where(AuditEventTable.action.like("statistics.%"))
        .order_by(AuditEventTable.at)
    )
    details = [json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"] for r in rows]
    assert [(r["action"], d["period_from"]) for r, d in zip(rows, details, strict=True)] == [
        ("statistics.read", "2026-01-01"),
        ("statistics.exported", "2025-04-01"),
    ]


async def test_statistics_page_renders_every_chart(fixed_clock, world) -> None:
    coordinator = world.users["coordinator"]
    caller = Caller(user_id=coordinator.id, username="coordinator", role=coordinator.role)
    stats, svgs = await statistics_service.statistics_page(caller)
    assert sorted(svgs) == ["referrals", "releases", "stages", "visits"]
    for name, svg in svgs.items():
        assert svg.startswith(b"<svg ") and f'<title id="chart-{name}-title">'.encode() in svg
    assert stats.to_date.isoformat() == "2026-03-10"
