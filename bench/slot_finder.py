"""Benchmark: the visit slot finder over a 3-month range, both mentors with 200 visits each, a prison with
10 weekly visiting windows. Prints median times; target: under 50 ms.

    .venv/bin/python bench/slot_finder.py            # pure finder + the whole service call on SQLite
    .venv/bin/python bench/slot_finder.py --rounds 50

Two measurements: the pure domain (``planning.visits.find_slots``) and the use case
(``services.visits.find_slots``: access check, two busy-time queries, the finder, the audit entry) on a
throw-away SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
_TMP = Path(tempfile.mkdtemp(prefix="pl-bench-"))
os.environ["PRISON_LIAISON_DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.sqlite'}"
os.environ.setdefault("PRISON_LIAISON_ENCRYPTION_KEY", "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s=")
os.environ.setdefault("PRISON_LIAISON_SECRET_KEY", "bench")
os.environ.setdefault("PRISON_LIAISON_ARGON2_PROFILE", "test")

from prison_liaison import clock  # noqa: E402
from prison_liaison.persistence import db  # noqa: E402
from prison_liaison.persistence import visits as visits_repo  # noqa: E402
from prison_liaison.persistence.migrate import migrate  # noqa: E402
from prison_liaison.planning.models import (  # noqa: E402
    Participant,
    ParticipantStatus,
    Prison,
    Role,
    VisitingWindow,
)
from prison_liaison.planning.visits import Busy, BusyIndex, find_slots  # noqa: E402
from prison_liaison.services import participants as participants_service  # noqa: E402
from prison_liaison.services import prisons as prisons_service  # noqa: E402
from prison_liaison.services import users as users_service  # noqa: E402
from prison_liaison.services import visits as visits_service  # noqa: E402
from prison_liaison.services.context import Caller, system  # noqa: E402

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 08:00 Berlin
START, END = date(2026, 3, 2), date(2026, 6, 1)  # three months
WINDOWS = tuple(
    VisitingWindow(weekday=d, start_time=s, end_time=e)
    for d in range(5)
    for s, e in ((time(9), time(12)), (time(13), time(16)))
)  # 10 weekly windows
M1, M2, PID = UUID(int=1), UUID(int=2), UUID(int=3)


def mentor_visits(rng: random.Random, mentor: UUID, n: int = 200) -> list[tuple[datetime, datetime]]:
    """``n`` one-hour visits over the range, inside the windows (where they actually get in the way)."""
    out = []
    days = [
        START + timedelta(days=i)
        for i in range((END - START).days)
        if (START + timedelta(days=i)).weekday() < 5
    ]
    for _ in range(n):
        day = rng.choice(days)
        hour = rng.choice([9, 10, 11, 13, 14, 15])
        start = datetime.combine(day, time(hour, rng.choice([0, 30])), tzinfo=clock.BERLIN).astimezone(UTC)
        out.append((start, start + timedelta(hours=1)))
    return out


def median_ms(samples: list[float]) -> str:
    low, mid, high = (x * 1000 for x in (min(samples), statistics.median(samples), max(samples)))
    return f"median {mid:6.2f} ms  (min {low:6.2f}, max {high:6.2f})"


def bench_pure(rounds: int) -> None:
    rng = random.Random(4)
    prison = Prison(
        id=uuid4(),
        code="JVA-BENCH",
        name="Bench",
        address="",
        timezone="Europe/Berlin",
        land="NW",
        social_service_contact="",
        lead_time_days=2,
        max_visit_minutes=90,
        travel_buffer_minutes=15,
        visitor_requirements="",
        security_check_required=False,
        windows=WINDOWS,
    )
    participant = Participant(
        id=PID,
        code="B-1",
        first_name="",
        last_name="",
        prison_id=prison.id,
        status=ParticipantStatus.IN_CUSTODY,
        cadence_days=14,
        planning_basis="sentence_end",
        admitted_on=None,
    )
    busy = [
        Busy(starts_at=s, ends_at=e, kind="visit", id=uuid4(), who=m, buffer_minutes=15)
        for m in (M1, M2)
        for s, e in mentor_visits(rng, m)
    ]
    for limit in (20, 200, 100_000):
        samples = []
        found = 0
        for _ in range(rounds):
            t0 = timer.perf_counter()
            slots = find_slots(
                participant=participant,
                prison=prison,
                mentor_ids=[M1, M2],
                mentor_busy=BusyIndex(busy),
                participant_busy=BusyIndex([]),
                start_date=START,
                end_date=END,
                minutes=60,
                now=NOW,
                limit=limit,
            )
            samples.append(timer.perf_counter() - t0)
            found = len(slots)
        print(f"pure finder    limit={limit:>6}: {found:4d} slots  {median_ms(samples)}")


async def bench_service(rounds: int) -> None:
    await db.open_engine()
    await migrate()
    clock.set_clock(clock.FixedClock(NOW))
    op = system("bench")
    coordinator, _ = await users_service.create_user(
        op, username="coordinator", role=Role.COORDINATOR, password="bench-password-123"
    )
    coord = Caller(user_id=coordinator.id, username="coordinator", role=Role.COORDINATOR)
    prison = await prisons_service.create_prison(
        coord,
        {
            "code": "JVA-BENCH",
            "name": "Bench",
            "lead_time_days": 2,
            "travel_buffer_minutes": 15,
            "windows": list(WINDOWS),
        },
    )
    mentors = []
    for name in ("mentor1", "mentor2"):
        user, _ = await users_service.create_user(
            coord, username=name, role=Role.MENTOR, password="bench-password-123"
        )
        mentors.append(user)
    participants = []
    for i in range(11):
        p = await participants_service.create_participant(
            coord,
            {
                "code": f"B-{i:04d}",
                "prison_id": prison.id,
                "status": "in_custody",
                "lead_id": mentors[0].id,
                "co_id": mentors[1].id,
            },
        )
        participants.append(p)
    rng = random.Random(4)
    async with db.transaction():
        for mentor in mentors:
            for n, (s, e) in enumerate(mentor_visits(rng, mentor.id)):
                other = participants[1 + n % 10]
                await visits_repo.insert_visit(
                    {
                        "participant": other.id,
                        "prison": prison.id,
                        "starts_at": s,
                        "ends_at": e,
                        "status": "confirmed",
                        "kind": "prison_visit",
                    },
                    [mentor.id],
                    NOW,
                )
    caller = Caller(user_id=mentors[0].id, username="mentor1", role=Role.MENTOR)
    for limit in (20, 200):
        samples = []
        found = 0
        for _ in range(rounds):
            t0 = timer.perf_counter()
            slots = await visits_service.find_slots(
                caller, participants[0].id, start=START, end=END, minutes=60, limit=limit
            )
            samples.append(timer.perf_counter() - t0)
            found = len(slots)
        print(f"service SQLite limit={limit:>6}: {found:4d} slots  {median_ms(samples)}")
    await db.close_engine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(
        f"slot finder: {START} → {END}, 10 weekly windows, 2 mentors × 200 visits, 60-minute slots, "
        f"{args.rounds} rounds"
    )
    bench_pure(args.rounds)
    asyncio.run(bench_service(args.rounds))


if __name__ == "__main__":
    main()
