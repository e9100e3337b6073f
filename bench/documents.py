"""Benchmark: release-plan PDF downloads, first render versus repeated (cached) downloads.

Run: `.venv/bin/python bench/documents.py [--runs 200]` (SQLite in a temporary directory; set
PRISON_LIAISON_BENCH_DATABASE_URL=postgresql://... to use an EMPTY PostgreSQL database, migrated on start).
Prints a Markdown table (results in bench/RESULTS-documents.md); the target is a cached median under 10 ms.
"HTTP" is the whole stack (token check, access check, fingerprint query, audit write, response);
"service" is the document use case alone (access check, fingerprint, audit write, cache).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="pl-bench-docs-"))
os.environ["PRISON_LIAISON_DATABASE_URL"] = os.environ.get(
    "PRISON_LIAISON_BENCH_DATABASE_URL", f"sqlite:///{_TMP / 'bench.sqlite'}"
)
os.environ.setdefault("PRISON_LIAISON_ENCRYPTION_KEY", "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s=")
os.environ.setdefault("PRISON_LIAISON_SECRET_KEY", "bench-secret")
os.environ["PRISON_LIAISON_ARGON2_PROFILE"] = "test"
os.environ.setdefault("PRISON_LIAISON_LOG_LEVEL", "WARNING")

DOMAINS = [
    "housing",
    "identity",
    "finances",
    "income",
    "work_training",
    "health",
    "addiction",
    "probation",
    "deradicalisation",
    "release_day",
    "after_release",
]


def _caller(world: object, username: str) -> object:
    from prison_liaison.services.context import Caller

    user = world.users[username]  # type: ignore[attr-defined]
    return Caller(
        user_id=user.id, username=username, role=user.role, prison_id=user.prison_id, client="bench"
    )


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) >= 20 else ordered[-1]
    return f"{statistics.median(values) * 1000:.1f} | {p95 * 1000:.1f}"


async def main(runs: int) -> None:
    import httpx
    from tests.documents_support import add_appointment, add_item, add_release_date, set_planning_date, share
    from tests.support import build_world

    from prison_liaison import clock
    from prison_liaison.app import create_app
    from prison_liaison.persistence import db
    from prison_liaison.persistence.migrate import migrate
    from prison_liaison.services import documents as documents_service
    from prison_liaison.settings import get_settings

    get_settings.cache_clear()
    clock.set_clock(clock.FixedClock(datetime(2026, 3, 10, 8, 0, tzinfo=UTC)))
    app = create_app(get_settings())
    await db.open_engine()
    await migrate()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
        world = await build_world(client)
        pid = world.participants["T-0001"]
        await set_planning_date(pid, date(2026, 9, 9))
        await add_release_date(pid, "sentence_end", date(2026, 9, 9), "prison_letter")
        await add_release_date(pid, "two_thirds", date(2026, 5, 2), "computed")
        for i in range(45):  # a full plan: three pages
            await add_item(
                pid,
                f"Punkt {i + 1}: Unterlagen für die Entlassungsvorbereitung zusammenstellen",
                domain=DOMAINS[i % len(DOMAINS)],
                latest_due=date(2026, 4, 1) + timedelta(days=4 * i),
                shared=i % 2 == 0,
                notes="Rücksprache mit dem Sozialdienst" if i % 3 == 0 else "",
            )
        for i in range(6):
            await add_appointment(
                pid,
                f"Jobcenter Musterstadt {i}",
                datetime(2026, 3, 20 + i, 9, tzinfo=UTC),
                place="Hauptstraße 5",
                what_to_bring="Personalausweis",
            )
        await share(pid, world.prisons["JVA-A"], DOMAINS)
        url = f"/api/v1/participants/{pid}/plan.pdf"
        rows: list[tuple[str, str]] = []
        for user in ("mentor1", "prison1"):
            started = time.perf_counter()
            first = await world.get(user, url)
            first_s = time.perf_counter() - started
            assert first.status_code == 200 and first.headers["x-document-cache"] == "miss", first.text
            cached: list[float] = []
            for _ in range(runs):
                started = time.perf_counter()
                again = await world.get(user, url)
                cached.append(time.perf_counter() - started)
                assert again.headers["x-document-cache"] == "hit"
            service: list[float] = []
            caller = _caller(world, user)
            for _ in range(runs):
                started = time.perf_counter()
                doc = await documents_service.plan_document(caller, pid, language="de", fmt="pdf")
                service.append(time.perf_counter() - started)
                assert doc.from_cache
            rows.append(
                (
                    user,
                    f"{first_s * 1000:.0f} | {_ms(cached)} | {_ms(service)} | "
                    f"{len(first.content) // 1024} KiB",
                )
            )
        # a render with warm fonts and stylesheets (new content, so no cache hit)
        await add_item(pid, "Noch ein Punkt", domain="housing", shared=True)
        started = time.perf_counter()
        warm = await world.get("mentor1", url)
        warm_s = time.perf_counter() - started
        assert warm.headers["x-document-cache"] == "miss"
    await db.close_engine()
    engine = "PostgreSQL" if "postgres" in os.environ["PRISON_LIAISON_DATABASE_URL"] else "SQLite"
    print(f"## Release-plan PDF downloads ({engine}, {runs} cached runs each, HTTP through the ASGI app)\n")
    print(
        "| audience | first render ms | HTTP cached median ms | HTTP cached p95 ms "
        "| service cached median ms | service cached p95 ms | size |"
    )
    print("|---|---|---|---|---|---|---|")
    for user, line in rows:
        print(f"| {user} | {line} |")
    print(f"\nRender after a change (fonts and CSS already loaded): {warm_s * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    asyncio.run(main(parser.parse_args().runs))
