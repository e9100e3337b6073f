"""Each process knows when a table a feed version reads changed - PostgreSQL notifies it, SQLite's triggers move
a counter it reads - and in between an unchanged feed answers without querying its version. Writes here come
from a connection of their own, as another worker, a CLI command or an operator's SQL would."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
from icalendar import Calendar
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from prison_liaison.persistence import changes
from prison_liaison.persistence import db as _db
from prison_liaison.persistence import feeds as feeds_repo
from prison_liaison.services import feeds as feeds_service
from tests.feeds_support import add_visit, utc
from tests.integration.test_feeds import events, fetch, subscribe


class Elsewhere:
    """A connection outside the application's engine and pool; SQL with ``$n`` placeholders."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def execute(self, sql: str, *args: Any) -> Any:
        if isinstance(self.connection, sqlite3.Connection):
            return self.connection.execute(re.sub(r"\$\d+", "?", sql), args).fetchall()
        return await self.connection.fetch(sql, *args)


@pytest.fixture
async def other_process(db: None) -> AsyncIterator[Elsewhere]:
    engine = _db.engine()
    if isinstance(engine, PostgresEngine):
        connection = await asyncpg.connect(**engine.config)
        yield Elsewhere(connection)
        await connection.close()
    else:
        lite = sqlite3.connect(engine.connection_kwargs["database"], isolation_level=None, timeout=30)
        yield Elsewhere(lite)
        lite.close()


async def listening() -> changes.Epoch:
    """The watch's epoch once it is listening (it reconnects within a second after losing its connection)."""
    for _ in range(200):
        epoch = changes.watch.epoch()
        if epoch is not None:
            return epoch
        await asyncio.sleep(0.05)
    raise AssertionError("the change watch is not listening")


async def notified_after(epoch: changes.Epoch) -> None:
    for _ in range(200):
        current = changes.watch.epoch()
        if current is not None and current != epoch:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no change notification arrived")


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement the engine runs, whole."""
    cls = type(_db.engine())
    seen: list[str] = []
    original = cls.run_querystring

    async def run_querystring(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    cls.run_querystring = run_querystring  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cls.run_querystring = original  # type: ignore[method-assign]


async def version_queries_of(world: Any, created: dict[str, Any], **headers: str) -> tuple[Any, int]:
    with statements() as seen:
        response = await fetch(world, created, **headers)
    return response, sum(1 for sql in seen if '"feed_change"' in sql)


async def test_unchanged_feed_is_answered_without_querying_its_version(fixed_clock, world) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    await add_visit(world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9),
                    mentor_ids=[world.users["mentor1"].id])
    first = await fetch(world, created)  # looks the token up and remembers the version
    etag = first.headers["etag"]
    await fetch(world, created, **{"If-None-Match": etag})  # the first fetch's touch of last use moved the epoch
    again, queries = await version_queries_of(world, created, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert queries == 0
    full, queries = await version_queries_of(world, created)
    assert full.status_code == 200 and full.content == first.content
    assert queries == 0


async def test_a_change_made_elsewhere_reaches_the_feed(fixed_clock, world, other_process) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    visit = await add_visit(world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9),
                            mentor_ids=[world.users["mentor1"].id])
    first = await fetch(world, created)
    etag = first.headers["etag"]
    assert (await fetch(world, created, **{"If-None-Match": etag})).status_code == 304
    epoch = await listening()
    await other_process.execute('UPDATE "visit" SET "status" = \'cancelled\' WHERE "id" = $1', str(visit))
    await notified_after(epoch)
    cancelled = await fetch(world, created, **{"If-None-Match": etag})
    assert cancelled.status_code == 200
    assert cancelled.headers["etag"] != etag
    event = events(Calendar.from_ical(cancelled.content))[f"visit-{visit}@prison-liaison"]
    assert str(event["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(
    "sql",
    [
        'UPDATE "calendar_subscription" SET "revoked_at" = CURRENT_TIMESTAMP',
        'UPDATE "app_user" SET "active" = false WHERE "username" = \'mentor1\'',
    ],
    ids=["revoked", "owner-deactivated"],
)
async def test_a_revocation_made_elsewhere_closes_the_feed(fixed_clock, world, other_process, sql: str) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    first = await fetch(world, created)
    etag = first.headers["etag"]
    assert (await fetch(world, created, **{"If-None-Match": etag})).status_code == 304
    epoch = await listening()
    await other_process.execute(sql)
    await notified_after(epoch)
    assert (await fetch(world, created, **{"If-None-Match": etag})).status_code == 404


@pytest.mark.postgres_only
async def test_without_a_listener_every_fetch_reads_its_version(fixed_clock, world, other_process) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    visit = await add_visit(world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9),
                            mentor_ids=[world.users["mentor1"].id])
    etag = (await fetch(world, created)).headers["etag"]
    await fetch(world, created, **{"If-None-Match": etag})
    # the listener's connection goes away (a restarted database, a network cut)
    terminated = await other_process.execute(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity "
        "WHERE application_name = $1 AND datname = current_database()",
        changes.APPLICATION_NAME,
    )
    assert terminated[0]["n"] == 1
    for _ in range(100):
        if changes.watch.epoch() is None:
            break
        await asyncio.sleep(0.01)
    assert changes.watch.epoch() is None
    # a change nobody is told about: with no listener the fetch must ask the database
    await other_process.execute('UPDATE "visit" SET "kind" = "kind" WHERE "id" = $1', str(visit))
    changed, queries = await version_queries_of(world, created, **{"If-None-Match": etag})
    assert queries == 1
    assert changed.status_code == 200
    await listening()  # and it listens again


async def test_a_version_read_while_something_changed_is_not_remembered(fixed_clock, world, monkeypatch) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    etag = (await fetch(world, created)).headers["etag"]
    original = feeds_repo.feed_version

    async def version_then_a_change(*args: Any) -> Any:
        found = await original(*args)
        changes.watch.changed()  # a notification that arrives while the version query runs
        return found

    monkeypatch.setattr(feeds_repo, "feed_version", version_then_a_change)
    await fetch(world, created, **{"If-None-Match": etag})
    monkeypatch.setattr(feeds_repo, "feed_version", original)
    _, queries = await version_queries_of(world, created, **{"If-None-Match": etag})
    # the version read while something changed is remembered under the epoch from before: not trusted again
    assert queries == 1


@pytest.mark.parametrize("scope", ["mentor", "participant", "prison", "coordinator-participant"])
async def test_every_table_the_version_reads_notifies(fixed_clock, world, scope: str) -> None:
    from prison_liaison.persistence.tables import CalendarSubscriptionTable

    username = {"mentor": "mentor1", "participant": "mentor1", "prison": "prison1"}.get(scope, "coordinator")
    body: dict[str, Any] = {"scope": "participant" if "participant" in scope else scope}
    if "participant" in scope:
        body["participant_id"] = str(world.participants["T-0001"])
    created = await subscribe(world, username, **body)
    row = await CalendarSubscriptionTable.select().where(CalendarSubscriptionTable.id == created["id"]).first()
    assert row is not None
    subscription, user = await feeds_repo.find_by_token(row["token_hash"])  # type: ignore[misc]
    sel = feeds_service.selection(subscription, feeds_service._caller(user), fixed_clock.instant.date())
    _, querystring = feeds_repo._version_query(sel, row["token_hash"])
    engine = _db.engine()
    sql, _ = querystring.compile_string(engine_type=engine.engine_type)
    read = set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))
    assert {"calendar_subscription", "feed_change"} <= read, sql
    if isinstance(engine, PostgresEngine):
        found = await engine.run_querystring(
            QueryString(
                "SELECT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                "WHERE g.tgname = 'feed_version_notify'"
            )
        )
        notifying = {r["t"] for r in found}
    else:  # one trigger per table and operation, each moving the feed_epoch counter
        found = await engine.run_querystring(
            QueryString(
                "SELECT tbl_name AS t, name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%feed_epoch%'"
            )
        )
        per_table: dict[str, int] = {}
        for r in found:
            per_table[r["t"]] = per_table.get(r["t"], 0) + 1
        notifying = {t for t, n in per_table.items() if n == 3}
    assert read <= notifying, f"tables read by the feed version that do not move the epoch: {read - notifying}"


def test_every_server_worker_sees_a_change_made_through_another(engine_name: str) -> None:
    """Two worker processes of the real server: each remembers the feed's version; a change or a revocation
    made through whichever worker takes the request reaches both (on PostgreSQL after the notification's
    delivery, here allowed 50 ms)."""
    import time

    import httpx

    from tests.live import LiveServer, new_database

    database = new_database(engine_name)
    server = LiveServer(database.url, extra_env={"PRISON_LIAISON_WORKERS": "2"})
    try:
        server.cli("migrate")
        server.cli("create-user", "coordinator", "--role", "coordinator")
        server.cli("create-user", "mentor1", "--role", "mentor")
        server.start()
        if engine_name == "postgres":
            assert asyncio.run(_listeners(database.url)) == 2  # one per worker process
        mentor = {"Authorization": f"Bearer {server.token('mentor1')}"}
        coordinator = {"Authorization": f"Bearer {server.token('coordinator')}"}
        created = httpx.post(server.base_url + "/api/v1/calendar-subscriptions", json={"scope": "mentor"},
                             headers=mentor)
        assert created.status_code == 201, created.text
        feed = server.base_url + "/" + created.json()["url"].split("/", 3)[3]
        etag = httpx.get(feed).headers["etag"]

        def answers(**headers: str) -> list[httpx.Response]:
            # a new connection per request: the kernel hands them to both workers
            return [httpx.get(feed, headers=headers) for _ in range(24)]

        assert {r.status_code for r in answers(**{"If-None-Match": etag})} == {304}
        mentor_id = httpx.get(server.base_url + "/api/v1/me", headers=mentor).json()["id"]
        case = httpx.post(server.base_url + "/api/v1/participants", json={"code": "W-00001", "lead_id": mentor_id},
                          headers=coordinator)
        assert case.status_code == 201, case.text
        time.sleep(0.05)
        after = answers(**{"If-None-Match": etag})
        assert {r.status_code for r in after} == {200}
        assert len({r.headers["etag"] for r in after}) == 1
        new_etag = after[0].headers["etag"]
        assert new_etag != etag
        assert {r.status_code for r in answers(**{"If-None-Match": new_etag})} == {304}
        revoked = httpx.delete(
            server.base_url + f"/api/v1/calendar-subscriptions/{created.json()['id']}", headers=mentor
        )
        assert revoked.status_code == 204
        time.sleep(0.05)
        assert {r.status_code for r in answers(**{"If-None-Match": new_etag})} == {404}
    finally:
        server.stop()
        if database.cleanup:
            database.cleanup()


async def _listeners(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        for _ in range(100):
            count = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
                changes.APPLICATION_NAME,
            )
            if count >= 2:
                break
            await asyncio.sleep(0.1)
        return int(count)
    finally:
        await connection.close()
