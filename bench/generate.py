"""Generate a large programme for the benchmarks, straight into SQLite or PostgreSQL (bulk inserts).

    .venv/bin/python bench/generate.py --url sqlite:///bench/data/bench.sqlite            # full size
    .venv/bin/python bench/generate.py --url postgresql://postgres@127.0.0.1:5432/pl_bench --scale 0.02

At scale 1: 50 000 participants, 1 000 000 visits (with their mentors as attendees), 500 000 plan items,
300 mentors, 12 prisons with weekly visiting windows, mentor assignments (a lead for every case, a co-mentor
for some, earlier assignments ended), shares with the prisons, one coordinator and one staff user per prison.
Visits spread over three years (two back, one ahead), statuses follow the dates. Every user's password is
``--password`` (hashed with the application's own Argon2id hasher).

One case, ``P-000000`` (lead ``bench-mentor-000``, co ``bench-mentor-001``), is dense on purpose: exactly
200 events in its participant calendar feed (150 visits, 49 agency appointments, its release day) and a
60-item plan (49 open deadlines);
the load run uses it for the participant page, feed, PDF and slot finder.

The schema comes from the application's migrations; the database must be empty (``--force`` empties it).
A ``bench_meta`` table records the scale and the ids the load run needs; with the same scale already there,
nothing is done (``--force`` regenerates).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sqlite3
import sys
import time as timer
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FULL = {"participants": 50_000, "visits": 1_000_000, "plan_items": 500_000, "mentors": 300}
PRISONS = 12
PASSWORD = "bench-password-2026"
VERSION = 2  # of what this script generates: older data is regenerated
HEAVY_VISITS, HEAVY_APPOINTMENTS, HEAVY_DEADLINES, HEAVY_DONE = 150, 49, 49, 11
CHUNK = 50_000
BERLIN = ZoneInfo("Europe/Berlin")
DOMAINS = {
    "housing": "Wohnungssuche beginnen",
    "identity": "Personalausweis beantragen",
    "income": "Bürgergeld-Antrag vorbereiten",
    "health": "Krankenversicherung klären",
    "probation": "Termin Bewährungshilfe vereinbaren",
    "release_day": "Abholung am Entlassungstag organisieren",
    "work": "Bewerbungsunterlagen erstellen",
    "debts": "Schuldnerberatung kontaktieren",
}
STATUSES = [("in_custody", 55), ("released", 20), ("completed", 12), ("intake", 5), ("inquiry", 3),
            ("withdrawn", 3), ("declined", 2)]
FIRST = ["Ali", "Ben", "Can", "Dirk", "Emil", "Finn", "Goran", "Hakan", "Ivo", "Jan", "Kai", "Lars", "Milan"]
LAST = ["Arslan", "Becker", "Celik", "Dietz", "Engel", "Fuchs", "Graf", "Horn", "Iske", "Jung", "Klein"]


def counts(scale: float) -> dict[str, int]:
    return {k: max(2 if k == "mentors" else 1, round(v * scale)) for k, v in FULL.items()}


# ---------------------------------------------------------------------------------------------- writers


def _sqlite_value(value: Any) -> Any:
    """The way Piccolo stores values in SQLite (text UUIDs, ``str(datetime)``, ISO dates, 0/1, JSON text)."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return str(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def _pg_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (list, dict)) else value


class SQLiteWriter:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-200000")

    async def write(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        self.conn.execute("BEGIN")
        self.conn.executemany(sql, ([_sqlite_value(v) for v in row] for row in rows))
        self.conn.execute("COMMIT")

    async def execute(self, sql: str, *args: Any) -> None:
        self.conn.execute(sql, args)

    async def fetchval(self, sql: str) -> Any:
        try:
            row = self.conn.execute(sql).fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    async def finish(self) -> None:
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class PostgresWriter:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @classmethod
    async def open(cls, url: str) -> PostgresWriter:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
        # a bulk load, not a stream of changes: the feed_change triggers stay quiet (superuser only; without
        # it they run, just slower) and finish() records one change per participant and prison instead
        with contextlib.suppress(asyncpg.PostgresError):
            await conn.execute("SET session_replication_role = replica")
        return cls(conn)

    async def write(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        records = [tuple(_pg_value(v) for v in row) for row in rows]
        await self.conn.copy_records_to_table(table, records=records, columns=columns)

    async def execute(self, sql: str, *args: Any) -> None:
        await self.conn.execute(sql, *args)

    async def fetchval(self, sql: str) -> Any:
        import asyncpg

        try:
            return await self.conn.fetchval(sql)
        except asyncpg.UndefinedTableError:
            return None

    async def finish(self) -> None:
        await self.conn.execute("SET session_replication_role = DEFAULT")
        await self.conn.execute(
            'INSERT INTO feed_change ("key") SELECT id FROM participant UNION ALL SELECT id FROM prison'
        )
        await self.conn.execute("VACUUM ANALYZE")
        await self.conn.close()


async def ensure_pg_database(url: str) -> None:
    import asyncpg

    parsed = urlparse(url)
    name = (parsed.path or "/").lstrip("/")
    admin = await asyncpg.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                                  user=unquote(parsed.username or "postgres"), password=parsed.password,
                                  database="postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _migrate(url: str) -> None:
    from prison_liaison.persistence import db
    from prison_liaison.persistence.migrate import migrate

    db.configure(url)
    await db.open_engine()
    try:
        await migrate()
    finally:
        await db.close_engine()


# ---------------------------------------------------------------------------------------------- data


def _chunks(rows: Iterable[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Programme:
    """Everything decided up front (small); visits and plan items are streamed from it."""

    def __init__(self, scale: float, seed: int, today: date) -> None:
        self.n = counts(scale)
        self.rng = random.Random(seed)
        self.today = today
        self.now = datetime.now(UTC).replace(microsecond=0)
        self._offsets: dict[date, timedelta] = {}

    def local(self, day: date, at: time) -> datetime:
        """A Berlin wall-clock time as a UTC instant (offsets cached per day)."""
        offset = self._offsets.get(day)
        if offset is None:
            offset = self._offsets[day] = datetime.combine(day, time(12), BERLIN).utcoffset() or timedelta()
        return (datetime.combine(day, at) - offset).replace(tzinfo=UTC)

    def build(self) -> None:
        rng, today, now = self.rng, self.today, self.now
        self.prisons = [uuid4() for _ in range(PRISONS)]
        self.mentors = [uuid4() for _ in range(self.n["mentors"])]
        self.coordinator = uuid4()
        self.staff = [uuid4() for _ in range(PRISONS)]
        people = []
        weights = [w for _, w in STATUSES]
        names = [s for s, _ in STATUSES]
        for i in range(self.n["participants"]):
            status = "in_custody" if i == 0 else rng.choices(names, weights)[0]
            prison = 0 if i == 0 else rng.randrange(PRISONS)
            if status == "in_custody":
                end = today + timedelta(days=200 if i == 0 else rng.randint(10, 700))
                planning = end
            elif status == "released":
                end = today - timedelta(days=rng.randint(1, 365))
                planning = end
            elif status in ("completed", "withdrawn", "declined"):
                end = today - timedelta(days=rng.randint(30, 700))
                planning = end
            else:  # inquiry, intake
                end = today
                planning = None
            admitted = min(end, today) - timedelta(days=rng.randint(60, 900))
            lead = 0 if i == 0 else rng.randrange(len(self.mentors))
            co = 1 if i == 0 else (rng.randrange(len(self.mentors)) if rng.random() < 0.05 else None)
            if co == lead:
                co = None
            closed = status in ("completed", "withdrawn", "declined")
            people.append({
                "id": uuid4(), "code": f"P-{i:06d}", "status": status, "prison": prison, "end": end,
                "planning": planning, "admitted": admitted, "lead": lead, "co": co,
                "archived": closed and rng.random() < 0.3,
            })
        self.people = people
        self.heavy = people[0]
        # visits and plan items: the heavy case's fixed set, the rest drawn over the eligible cases
        self.heavy_visits = min(HEAVY_VISITS, self.n["visits"] // 2)
        self.heavy_items = min(HEAVY_DEADLINES + HEAVY_DONE, self.n["plan_items"] // 2)
        visitable = [k for k, p in enumerate(people) if k and p["status"] not in ("inquiry", "intake")]
        planned = [k for k, p in enumerate(people) if k and p["status"] != "inquiry"]
        self.visit_counts = Counter(rng.choices(visitable or [0], k=self.n["visits"] - self.heavy_visits))
        self.item_counts = Counter(rng.choices(planned or [0], k=self.n["plan_items"] - self.heavy_items))
        self.windows = [(wd, time(9), time(11, 30)) for wd in range(5)] + [
            (wd, time(13), time(15, 30)) for wd in (0, 1, 2, 3)] + [(5, time(10), time(12))]
        del now

    # -- rows

    def stamp(self) -> tuple[datetime, datetime]:
        return self.now, self.now

    def visit_rows(self) -> Iterator[tuple[Any, ...]]:
        """(visit row, attendee rows) streamed together: yields visit rows, collects attendees alongside."""
        rng, today = self.rng, self.today
        lo_all, hi_all = today - timedelta(days=730), today + timedelta(days=365)
        starts = [time(9), time(10), time(13), time(14)]
        self.attendees: list[tuple[Any, ...]] = []
        heavy = self.heavy
        plan: list[tuple[int, date]] = []
        span = 580  # heavy visits: every ~4 days from 80 days back (inside the feed's window)
        for j in range(self.heavy_visits):
            plan.append((0, today - timedelta(days=80) + timedelta(days=j * span // max(1, self.heavy_visits))))
        for k, c in self.visit_counts.items():
            p = self.people[k]
            lo = max(p["admitted"], lo_all)
            hi = min(p["end"], hi_all)
            if hi <= lo:
                hi = lo + timedelta(days=1)
            days = (hi - lo).days
            plan.extend((k, lo + timedelta(days=rng.randrange(days))) for _ in range(c))
        for k, day in plan:
            p = self.people[k]
            while day.weekday() == 6:
                day += timedelta(days=1)
            at = starts[rng.randrange(4)] if day.weekday() < 5 else time(10)
            starts_at = self.local(day, at)
            past = day < today
            if k == 0:
                status = "completed" if past else ("confirmed" if rng.random() < 0.5 else "planned")
            elif past:
                r = rng.random()
                status = "completed" if r < 0.8 else ("cancelled" if r < 0.92 else "no_show")
            else:
                r = rng.random()
                status = ("planned" if r < 0.45 else "requested" if r < 0.65 else "confirmed" if r < 0.95
                          else "cancelled")
            vid = uuid4()
            created = min(starts_at - timedelta(days=14), self.now)
            lead = self.mentors[p["lead"]]
            yield (vid, created, created, p["id"], self.prisons[p["prison"]], starts_at,
                   starts_at + timedelta(minutes=60), status, "prison" if status == "cancelled" else "",
                   "Besuchsraum " + str(1 + rng.randrange(3)), lead)
            self.attendees.append((uuid4(), created, created, vid, lead, None if not past else status == "completed"))
            if p["co"] is not None:
                self.attendees.append((uuid4(), created, created, vid, self.mentors[p["co"]],
                                       None if not past else status == "completed"))
        del heavy

    def plan_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, today = self.rng, self.today
        domains = list(DOMAINS)
        for j in range(self.heavy_items):
            domain = domains[j % len(domains)]
            if j < HEAVY_DEADLINES:
                due, status = today + timedelta(days=5 + j * 9), ("open" if j % 3 else "in_progress")
            else:
                due, status = today - timedelta(days=10 + j), "done"
            yield self._item(self.heavy, j, domain, due, status)
        for k, c in self.item_counts.items():
            p = self.people[k]
            anchor = p["planning"] or (today + timedelta(days=365))
            for j in range(c):
                domain = domains[rng.randrange(len(domains))]
                due = anchor + timedelta(days=rng.randint(-180, 30))
                r = rng.random()
                if due < today - timedelta(days=30):
                    status = ("done" if r < 0.7 else "not_needed" if r < 0.8 else "open" if r < 0.9
                              else "declined" if r < 0.95 else "blocked")
                else:
                    status = ("open" if r < 0.5 else "in_progress" if r < 0.75 else "done" if r < 0.9
                              else "blocked")
                yield self._item(p, j, domain, due, status)

    def _item(self, p: dict[str, Any], j: int, domain: str, due: date, status: str) -> tuple[Any, ...]:
        now = self.now
        return (uuid4(), now, now, p["id"], "release_basic", 1, f"{domain}-{j}", domain, DOMAINS[domain],
                "planning_date", due - timedelta(days=60), due, status, now if status != "open" else None,
                domain in ("housing", "identity", "release_day"), j)


VISIT_COLUMNS = ["id", "created_at", "updated_at", "participant", "prison", "starts_at", "ends_at", "status",
                 "cancel_reason", "room", "created_by"]
ATTENDEE_COLUMNS = ["id", "created_at", "updated_at", "visit", "user", "attended"]
ITEM_COLUMNS = ["id", "created_at", "updated_at", "participant", "template_key", "template_version", "item_key",
                "domain", "title_de", "anchor", "earliest_start", "latest_due", "status", "status_at",
                "shared_with_prison", "position"]


async def _fill(writer: Any, prog: Programme, password_hash: str, log: Callable[[str], None]) -> dict[str, Any]:
    now, today, rng = prog.now, prog.today, prog.rng
    w = writer.write
    await w("prison", ["id", "created_at", "updated_at", "code", "name", "address", "lead_time_days",
                       "max_visit_minutes", "travel_buffer_minutes", "open_on_holidays"],
            [(pid, now, now, f"JVA-{k:02d}", f"JVA Bench {k:02d}", f"Benchweg {k}", 2, 90, 30 if k % 2 else 0, [])
             for k, pid in enumerate(prog.prisons)])
    await w("visiting_window", ["id", "created_at", "updated_at", "prison", "weekday", "start_time", "end_time"],
            [(uuid4(), now, now, pid, wd, a, b) for pid in prog.prisons for wd, a, b in prog.windows])
    users = [(prog.coordinator, now, now, "bench-coord", "Koordination Bench", "coordinator", None, password_hash)]
    users += [(m, now, now, f"bench-mentor-{k:03d}", f"Mentor {k:03d}", "mentor", None, password_hash)
              for k, m in enumerate(prog.mentors)]
    users += [(s, now, now, f"bench-prison-{k:02d}", f"Sozialdienst {k:02d}", "prison_staff", prog.prisons[k],
               password_hash) for k, s in enumerate(prog.staff)]
    await w("app_user", ["id", "created_at", "updated_at", "username", "display_name", "role", "prison",
                         "password_hash"], users)
    log(f"{len(users)} users, {PRISONS} prisons")

    def participants() -> Iterator[tuple[Any, ...]]:
        for p in prog.people:
            closed = p["status"] in ("completed", "withdrawn", "declined")
            closed_at = datetime.combine(p["end"], time(12), UTC) if closed else None
            yield (p["id"], now, now, p["code"], rng.choice(FIRST), rng.choice(LAST),
                   None if p["status"] == "inquiry" else prog.prisons[p["prison"]], p["status"],
                   min(p["end"], today) if p["status"] != "in_custody" else p["admitted"], p["planning"],
                   p["admitted"], closed_at, closed_at + timedelta(days=30) if p["archived"] and closed_at else None)

    for batch in _chunks(participants()):
        await w("participant", ["id", "created_at", "updated_at", "code", "first_name", "last_name", "prison",
                                "status", "status_since", "planning_date", "admitted_on", "closed_at",
                                "archived_at"], batch)

    def assignments() -> Iterator[tuple[Any, ...]]:
        for p in prog.people:
            start = datetime.combine(p["admitted"], time(9), UTC)
            if p is not prog.heavy and rng.random() < 0.1:  # an earlier lead who handed the case over
                old = rng.randrange(len(prog.mentors))
                yield (uuid4(), now, now, p["id"], prog.mentors[old], "lead", start - timedelta(days=90), start)
            yield (uuid4(), now, now, p["id"], prog.mentors[p["lead"]], "lead", start, None)
            if p["co"] is not None:
                yield (uuid4(), now, now, p["id"], prog.mentors[p["co"]], "co", start, None)

    for batch in _chunks(assignments()):
        await w("mentor_assignment", ["id", "created_at", "updated_at", "participant", "mentor", "role",
                                      "valid_from", "valid_to"], batch)

    def shares() -> Iterator[tuple[Any, ...]]:
        for p in prog.people:
            if p["status"] in ("in_custody", "released") and (p is prog.heavy or rng.random() < 0.4):
                yield (uuid4(), now, now, p["id"], prog.prisons[p["prison"]],
                       ["housing", "identity", "income", "health", "probation", "release_day"],
                       p["admitted"] + timedelta(days=10), "Schriftliche Einwilligung (Bench)",
                       prog.mentors[p["lead"]], (p["planning"] or today) + timedelta(days=180))

    n_shares = 0
    for batch in _chunks(shares()):
        n_shares += len(batch)
        await w("share", ["id", "created_at", "updated_at", "participant", "prison", "scope", "consent_date",
                          "consent_scope", "consent_recorded_by", "expires_on"], batch)
    log(f"{len(prog.people)} participants, assignments, {n_shares} shares")

    n_visits = 0
    for batch in _chunks(prog.visit_rows()):
        n_visits += len(batch)
        await w("visit", VISIT_COLUMNS, batch)
        for att in _chunks(prog.attendees, 10 * CHUNK):
            await w("visit_attendee", ATTENDEE_COLUMNS, att)
        prog.attendees.clear()
        if n_visits % (10 * CHUNK) == 0:
            log(f"  {n_visits} visits")
    log(f"{n_visits} visits with attendees")
    n_items = 0
    for batch in _chunks(prog.plan_rows()):
        n_items += len(batch)
        await w("plan_item", ITEM_COLUMNS, batch)
    log(f"{n_items} plan items")
    heavy, appointments = prog.heavy, []
    for j in range(min(HEAVY_APPOINTMENTS, prog.n["visits"] // 4)):
        at = prog.local(today + timedelta(days=3 + j * 9), time(8 + j % 3))
        appointments.append((uuid4(), now, now, heavy["id"], at, at + timedelta(minutes=45), "Jobcenter Bench",
                             "Benchstraße 1", "planned", j))
    await w("appointment", ["id", "created_at", "updated_at", "participant", "starts_at", "ends_at", "agency",
                            "place", "status", "sequence"], appointments)
    return {"visits": n_visits, "plan_items": n_items, "shares": n_shares, "appointments": len(appointments)}


async def generate(url: str, scale: float, *, seed: int = 1, force: bool = False, password: str = PASSWORD,
                   quiet: bool = False) -> dict[str, Any]:
    """Fill the database at ``url``; returns the metadata the load run needs (also kept in ``bench_meta``)."""
    started = timer.perf_counter()

    def log(msg: str) -> None:
        if not quiet:
            print(f"[generate {timer.perf_counter() - started:6.1f}s] {msg}", flush=True)

    is_pg = url.startswith(("postgres://", "postgresql://"))
    if is_pg:
        await ensure_pg_database(url)
    else:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    writer: Any = (await PostgresWriter.open(url)) if is_pg else SQLiteWriter(url.removeprefix("sqlite:///"))
    existing = await writer.fetchval("SELECT value FROM bench_meta WHERE key = 'meta'")
    if existing and not force:
        meta = json.loads(existing)
        if meta.get("scale") == scale and meta.get("version") == VERSION:
            log(f"already generated at scale {scale}: nothing to do (--force regenerates)")
            if is_pg:
                await writer.conn.close()
            else:
                writer.conn.close()
            return dict(meta)
    if existing or force:
        if is_pg:
            await writer.execute("DROP SCHEMA public CASCADE")
            await writer.execute("CREATE SCHEMA public")
        else:
            writer.conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    if is_pg:
        await writer.conn.close()
    else:
        writer.conn.close()
    await _migrate(url)
    log("migrated")
    writer = (await PostgresWriter.open(url)) if is_pg else SQLiteWriter(url.removeprefix("sqlite:///"))
    from prison_liaison.services.security import hash_password

    prog = Programme(scale, seed, datetime.now(UTC).date())
    prog.build()
    log("planned")
    made = await _fill(writer, prog, hash_password(password), log)
    meta = {
        "scale": scale, "version": VERSION, "seed": seed, "generated_on": prog.today.isoformat(), **prog.n, **made,
        "password": password, "coordinator": "bench-coord", "mentor": "bench-mentor-000",
        "prison_staff": "bench-prison-00", "heavy_participant_id": str(prog.heavy["id"]),
        "heavy_participant_code": prog.heavy["code"], "heavy_prison_id": str(prog.prisons[0]),
    }
    await writer.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    await writer.execute("INSERT INTO bench_meta (key, value) VALUES ($1, $2)" if is_pg else
                         "INSERT INTO bench_meta (key, value) VALUES (?, ?)", "meta", json.dumps(meta))
    await writer.finish()
    log("done (analyzed)")
    meta["seconds"] = round(timer.perf_counter() - started, 1)
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="sqlite:///path or postgresql://user@host:port/db")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 50 000 participants; 0.02 for a quick run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="regenerate even when already generated")
    parser.add_argument("--password", default=PASSWORD)
    args = parser.parse_args()
    os.environ.setdefault("PRISON_LIAISON_ENCRYPTION_KEY", "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s=")
    meta = asyncio.run(generate(args.url, args.scale, seed=args.seed, force=args.force, password=args.password))
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
