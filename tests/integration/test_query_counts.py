"""N+1 guard: list and feed endpoints issue the same number of queries whatever the page size."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

from prison_liaison import clock
from prison_liaison.persistence import db
from prison_liaison.services import participants as participants_service
from prison_liaison.services.context import Caller
from tests.feeds_support import add_appointment, add_plan_item, add_visit, utc


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """Count every statement the engine runs (inside and outside transactions)."""
    cls = type(db.engine())  # the PostgreSQL engine has __slots__: wrap the methods on the class
    seen: list[str] = []
    original_qs, original_ddl = cls.run_querystring, cls.run_ddl

    async def run_querystring(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(querystring)[:80])
        return await original_qs(self, querystring, *args, **kwargs)

    async def run_ddl(self, ddl, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(ddl[:80])
        return await original_ddl(self, ddl, *args, **kwargs)

    cls.run_querystring, cls.run_ddl = run_querystring, run_ddl  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cls.run_querystring, cls.run_ddl = original_qs, original_ddl  # type: ignore[method-assign]


async def _more_participants(world, n: int) -> None:  # type: ignore[no-untyped-def]
    coord = world.users["coordinator"]
    caller = Caller(user_id=coord.id, username="coordinator", role=coord.role)
    for i in range(n):
        await participants_service.create_participant(caller, {
            "code": f"Q-{i:04d}", "prison_id": world.prisons["JVA-A"], "lead_id": world.users["mentor1"].id,
            "co_id": world.users["mentor2"].id,
        })


async def _queries_for(world, username: str, url: str) -> int:  # type: ignore[no-untyped-def]
    await world.get(username, url)  # warm-up: the once-a-minute "token last used" write is not part of the list
    with count_queries() as seen:
        response = await world.get(username, url)
    assert response.status_code == 200, response.text
    return len(seen)


async def test_participant_list_query_count_does_not_grow_with_page_size(world) -> None:
    await _more_participants(world, 12)
    small = await _queries_for(world, "coordinator", "/api/v1/participants?limit=2")
    large = await _queries_for(world, "coordinator", "/api/v1/participants?limit=15")
    assert small == large and small > 1
    # and a mentor's filtered list is no different
    assert await _queries_for(world, "mentor1", "/api/v1/participants?limit=2") == await _queries_for(
        world, "mentor1", "/api/v1/participants?limit=15"
    )


async def test_visit_list_query_count_does_not_grow_with_page_size(world) -> None:
    pid = world.participants["T-0001"]
    start = utc(2030, 1, 7, 9)
    for i in range(12):
        await add_visit(pid, world.prisons["JVA-A"], start + timedelta(days=i),
                        mentor_ids=[world.users["mentor1"].id, world.users["mentor2"].id])
    small = await _queries_for(world, "mentor1", "/api/v1/visits?limit=2")
    large = await _queries_for(world, "mentor1", "/api/v1/visits?limit=15")
    assert small == large and small > 1


async def test_feed_query_count_does_not_grow_with_the_number_of_events(world) -> None:
    created = await world.post("mentor1", "/api/v1/calendar-subscriptions", json={"scope": "mentor"})
    assert created.status_code == 201, created.text
    path = "/" + created.json()["url"].split("/", 3)[3]
    pid = world.participants["T-0001"]
    today = clock.today()

    async def fetch() -> int:
        with count_queries() as seen:
            response = await world.client.get(path)
        assert response.status_code == 200
        return len(seen)

    await fetch()  # warm-up: the first fetch records the subscription's first use
    await add_visit(pid, world.prisons["JVA-A"], utc(today.year + 1, 1, 8, 9), mentor_ids=[world.users["mentor1"].id])
    await add_plan_item(pid, today + timedelta(days=30))
    few = await fetch()
    for i in range(15):
        await add_visit(pid, world.prisons["JVA-A"], utc(today.year + 1, 2, 1, 9) + timedelta(days=i),
                        mentor_ids=[world.users["mentor1"].id, world.users["mentor2"].id])
        await add_plan_item(pid, today + timedelta(days=40 + i), title=f"Punkt {i}")
        await add_appointment(pid, utc(today.year + 1, 3, 1, 9) + timedelta(days=i))
    many = await fetch()
    assert few == many


async def test_audit_list_query_count_does_not_grow_with_page_size(world) -> None:
    for _ in range(6):
        await world.get("mentor1", f"/api/v1/participants/{world.participants['T-0001']}")
    assert await _queries_for(world, "coordinator", "/api/v1/audit-events?limit=2") == await _queries_for(
        world, "coordinator", "/api/v1/audit-events?limit=50"
    )




async def test_prison_feed_parameters_do_not_grow_with_its_visits(world) -> None:
    """A prison's visitor list can hold more visits than SQLite takes parameters (32 766): no statement may
    carry one parameter per visit."""
    created = await world.post("prison1", "/api/v1/calendar-subscriptions", json={"scope": "prison"})
    assert created.status_code == 201, created.text
    path = "/" + created.json()["url"].split("/", 3)[3]
    today = clock.today()
    cls = type(db.engine())
    original = cls.run_querystring
    widest: list[int] = []

    async def run_querystring(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        widest.append(len(querystring.compile_string(engine_type=self.engine_type)[1]))
        return await original(self, querystring, *args, **kwargs)

    async def fetch() -> int:
        widest.clear()
        cls.run_querystring = run_querystring  # type: ignore[method-assign]
        try:
            response = await world.client.get(path)
        finally:
            cls.run_querystring = original  # type: ignore[method-assign]
        assert response.status_code == 200
        return max(widest)

    async def confirmed_visits(n: int, offset: int) -> None:
        for i in range(n):
            await add_visit(world.participants["T-0001"], world.prisons["JVA-A"],
                            utc(today.year + 1, 1, 5, 9) + timedelta(days=offset + i),
                            mentor_ids=[world.users["mentor1"].id], status="confirmed")

    await confirmed_visits(2, 0)
    few = await fetch()
    await confirmed_visits(30, 10)
    assert await fetch() == few
