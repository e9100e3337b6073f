"""PostgreSQL tells each process when a table a feed version reads changed; between such notifications an
unchanged feed answers without querying its version. Writes here come from a connection of their own, as
another worker, a CLI command or an operator's SQL would: the process learns of them only by notification."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from icalendar import Calendar
from piccolo.querystring import QueryString

from prison_liaison.persistence import changes, db
from prison_liaison.persistence import feeds as feeds_repo
from prison_liaison.services import feeds as feeds_service
from tests.feeds_support import add_visit, utc
from tests.integration.test_feeds import events, fetch, subscribe

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def other_process(db: None) -> AsyncIterator[asyncpg.Connection]:
    """A connection outside the application's engine and pool."""
    connection = await asyncpg.connect(**db_config())
    yield connection
    await connection.close()


def db_config() -> dict[str, Any]:
    return dict(db.engine().config)  # type: ignore[attr-defined]


async def listening() -> int:
    """The watch's epoch once it is listening (it reconnects within a second after losing its connection)."""
    for _ in range(200):
        epoch = changes.watch.epoch()
        if epoch is not None:
            return epoch
        await asyncio.sleep(0.05)
    raise AssertionError("the change watch is not listening")


async def notified_after(epoch: int) -> None:
    for _ in range(200):
        current = changes.watch.epoch()
        if current is not None and current != epoch:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no change notification arrived")


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement the engine runs, whole."""
    cls = type(db.engine())
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


async def test_a_change_made_elsewhere_reaches_the_feed_by_notification(fixed_clock, world, other_process) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    visit = await add_visit(world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9),
                            mentor_ids=[world.users["mentor1"].id])
    first = await fetch(world, created)
    etag = first.headers["etag"]
    assert (await fetch(world, created, **{"If-None-Match": etag})).status_code == 304
    epoch = await listening()
    await other_process.execute(
        'UPDATE "visit" SET "starts_at" = $1, "ends_at" = $2 WHERE "id" = $3',
        utc(2026, 3, 20, 11), utc(2026, 3, 20, 12), visit,
    )
    await notified_after(epoch)
    moved = await fetch(world, created, **{"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.headers["etag"] != etag
    start = events(Calendar.from_ical(moved.content))[f"visit-{visit}@prison-liaison"]
    assert start["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 20, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    "sql",
    [
        'UPDATE "calendar_subscription" SET "revoked_at" = now()',
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


async def test_without_a_listener_every_fetch_reads_its_version(fixed_clock, world, other_process) -> None:
    await listening()
    created = await subscribe(world, "mentor1")
    visit = await add_visit(world.participants["T-0001"], world.prisons["JVA-A"], utc(2026, 3, 20, 9),
                            mentor_ids=[world.users["mentor1"].id])
    etag = (await fetch(world, created)).headers["etag"]
    await fetch(world, created, **{"If-None-Match": etag})
    # the listener's connection goes away (a restarted database, a network cut)
    terminated = await other_process.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = $1 AND datname = current_database()",
        changes.APPLICATION_NAME,
    )
    assert terminated == 1
    for _ in range(100):
        if changes.watch.epoch() is None:
            break
        await asyncio.sleep(0.01)
    assert changes.watch.epoch() is None
    # a change nobody is told about: with no listener the fetch must ask the database
    await other_process.execute('UPDATE "visit" SET "kind" = "kind" WHERE "id" = $1', visit)
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
    sql, _ = querystring.compile_string(engine_type="postgres")
    read = set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))
    assert read, sql
    rows = await db.engine().run_querystring(
        QueryString(
            "SELECT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
            "WHERE g.tgname = 'feed_version_notify'"
        )
    )
    notifying = {r["t"] for r in rows}
    assert read <= notifying, f"tables read by the feed version without a notify trigger: {read - notifying}"
