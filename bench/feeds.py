"""Feed throughput against /health of the same app in the same run (a report, not a timed test).

Targets (issue 6): a 200-event feed at >= 50 % of /health's requests per second, a 304 answer at >= 80 %.

    .venv/bin/python bench/feeds.py                    # a fresh SQLite file under bench/data/
    PRISON_LIAISON_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pl_bench .venv/bin/python bench/feeds.py

The app runs in-process behind httpx's ASGI transport, so the numbers compare the application's own work per
request (routing, database, rendering or cache), not a network stack. Every case is measured with 4, 16 and 32
concurrent clients, interleaved; an endpoint's throughput is its best rate, and the table shows every rate.
(A 304 waits for its audit row's commit: with few clients the CPU idles during those waits, which /health,
one SELECT, hardly has.) Every feed request goes the whole way: token, access at fetch time, version (from
the database, or on PostgreSQL from the change watch while nothing changed), the audit row, committed.
"""

# The application is imported inside functions, after the environment above has chosen its database.

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
if not os.environ.get("PRISON_LIAISON_DATABASE_URL"):
    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    os.environ["PRISON_LIAISON_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(dir=data)}/feeds.sqlite"
os.environ.setdefault("PRISON_LIAISON_ENCRYPTION_KEY", "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s=")
os.environ.setdefault("PRISON_LIAISON_ARGON2_PROFILE", "test")
os.environ.setdefault("PRISON_LIAISON_LOG_LEVEL", "WARNING")
os.environ.setdefault("PRISON_LIAISON_BASE_URL", "http://bench.local")

import httpx  # noqa: E402

EVENTS = 200


async def _seed() -> str:
    """A prison, a mentor with 10 participants and 200 events in the window; returns the feed path."""
    from prison_liaison.persistence.tables import (
        AppointmentTable,
        PlanItemTable,
        VisitAttendeeTable,
        VisitTable,
    )
    from prison_liaison.planning.models import Role, VisitingWindow
    from prison_liaison.services import feeds as feeds_service
    from prison_liaison.services import participants as participants_service
    from prison_liaison.services import prisons as prisons_service
    from prison_liaison.services import users as users_service
    from prison_liaison.services.context import Caller, system

    suffix = uuid4().hex[:6].upper()
    coordinator, _ = await users_service.create_user(
        system("bench"), username=f"bench-coord-{suffix.lower()}", role=Role.COORDINATOR, password=uuid4().hex
    )
    coord = Caller(user_id=coordinator.id, username=coordinator.username, role=Role.COORDINATOR)
    mentor, _ = await users_service.create_user(
        coord, username=f"bench-mentor-{suffix.lower()}", role=Role.MENTOR, password=uuid4().hex
    )
    windows = [VisitingWindow(weekday=d, start_time=datetime.min.time(), end_time=datetime.max.time().replace(
        microsecond=0)) for d in range(7)]
    prison = await prisons_service.create_prison(
        coord, {"code": f"B-{suffix}", "name": "JVA Benchmark", "windows": windows, "closures": []}
    )
    participants = []
    for i in range(10):
        participant = await participants_service.create_participant(
            coord,
            {"code": f"B-{suffix}-{i:02d}", "first_name": "Bench", "last_name": f"Person{i}",
             "prison_id": prison.id, "status": "in_custody", "lead_id": mentor.id},
        )
        participants.append(participant.id)
    now = datetime.now(UTC)
    start = now.replace(hour=8, minute=0, second=0, microsecond=0)
    visits, attendees, appointments, items = [], [], [], []
    for i in range(EVENTS):
        pid = participants[i % len(participants)]
        when = start + timedelta(days=i * 2 - 60, hours=i % 4)
        if i % 4 == 0:
            appointments.append(AppointmentTable(
                id=uuid4(), participant=pid, starts_at=when, ends_at=when + timedelta(minutes=45),
                agency="Jobcenter", created_at=now, updated_at=now))
        elif i % 4 == 1:
            items.append(PlanItemTable(
                id=uuid4(), participant=pid, domain="housing", title_de="Wohnungssuche beginnen",
                latest_due=when.date(), created_at=now, updated_at=now))
        else:
            vid = uuid4()
            visits.append(VisitTable(
                id=vid, participant=pid, prison=prison.id, starts_at=when, ends_at=when + timedelta(hours=1),
                status="confirmed" if i % 3 else "planned", created_at=now, updated_at=now))
            attendees.append(VisitAttendeeTable(id=uuid4(), visit=vid, user=mentor.id, created_at=now,
                                                updated_at=now))
    await VisitTable.insert(*visits)
    await VisitAttendeeTable.insert(*attendees)
    await AppointmentTable.insert(*appointments)
    await PlanItemTable.insert(*items)
    mentor_caller = Caller(user_id=mentor.id, username=mentor.username, role=Role.MENTOR)
    _, token = await feeds_service.create_subscription(mentor_caller, scope=feeds_service.FeedScope.MENTOR)
    assert date.today()  # the window is relative to today; the events above straddle it
    return f"/feeds/{token}.ics"


async def _rate(client: httpx.AsyncClient, path: str, headers: dict[str, str], *, seconds: float,
                concurrency: int, expect: int) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            response = await client.get(path, headers=headers)
            if response.status_code != expect:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def main(seconds: float, concurrencies: list[int], rounds: int) -> dict[str, Any]:
    from prison_liaison.app import create_app
    from prison_liaison.persistence import db
    from prison_liaison.persistence.migrate import migrate

    app = create_app()
    await db.open_engine()
    await migrate()
    path = await _seed()
    # fresh tables have no planner statistics yet; production has autovacuum/ANALYZE doing this
    await db.engine().run_ddl("ANALYZE")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
        first = await client.get(path)
        assert first.status_code == 200, first.text
        events = first.content.count(b"BEGIN:VEVENT")
        etag = first.headers["etag"]
        cases = {
            "health": ("/health", {}, 200),
            "feed_200": (path, {}, 200),
            "feed_304": (path, {"If-None-Match": etag}, 304),
        }
        results: dict[tuple[str, int], list[float]] = {}
        for _ in range(rounds):  # interleaved, so drift in machine load hits every case alike
            for concurrency in concurrencies:
                for name, (url, headers, expect) in cases.items():
                    rate = await _rate(client, url, headers, seconds=seconds, concurrency=concurrency, expect=expect)
                    results.setdefault((name, concurrency), []).append(rate)
    await db.close_engine()
    best = {key: max(rates) for key, rates in results.items()}
    # an endpoint's throughput is its rate once enough clients keep it busy: the best over the client counts
    throughput = {name: max(best[(name, c)] for c in concurrencies) for name in cases}
    return {
        "engine": "sqlite" if db.is_sqlite() else "postgresql",
        "events": events,
        "bytes": len(first.content),
        "concurrencies": concurrencies,
        "rps": best,
        "throughput": throughput,
        "feed_200_ratio": throughput["feed_200"] / throughput["health"],
        "feed_304_ratio": throughput["feed_304"] / throughput["health"],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 16, 32],
                        help="concurrent clients; every case is measured at each")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report = asyncio.run(main(args.seconds, args.concurrency, args.rounds))
    print(f"engine {report['engine']}: feed of {report['events']} events, {report['bytes']} bytes")
    print("  clients " + "".join(f"{name:>12s}" for name in ("health", "feed_200", "feed_304"))
          + "   200/health  304/health")
    for c in report["concurrencies"]:
        rates = [report["rps"][(name, c)] for name in ("health", "feed_200", "feed_304")]
        print(f"  {c:7d} " + "".join(f"{r:10.0f}/s" for r in rates)
              + f"   {rates[1] / rates[0]:9.0%}  {rates[2] / rates[0]:9.0%}")
    print("  throughput (best over the client counts): "
          + ", ".join(f"{name} {rps:.0f}/s" for name, rps in report["throughput"].items()))
    ok_200 = report["feed_200_ratio"] >= 0.5
    ok_304 = report["feed_304_ratio"] >= 0.8
    for label, ratio, target, ok in (
        ("feed 200", report["feed_200_ratio"], "50%", ok_200),
        ("feed 304", report["feed_304_ratio"], "80%", ok_304),
    ):
        print(f"  {label} / health = {ratio:.0%} (target >= {target}: {'met' if ok else 'MISSED'})")
    raise SystemExit(0 if ok_200 and ok_304 else 1)
