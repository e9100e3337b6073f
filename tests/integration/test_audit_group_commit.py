"""Audit events that stand alone (reads, downloads, feed fetches) share commits under load, and none is lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from prison_liaison.persistence import audit as audit_repo
from prison_liaison.persistence import db as db_module
from prison_liaison.planning.models import Role
from prison_liaison.services import audit
from prison_liaison.services.context import Caller


def _caller(world: Any) -> Caller:
    mentor = world.users["mentor1"]
    return Caller(user_id=mentor.id, username="mentor1", role=Role.MENTOR, client="203.0.113.7")


async def _events(action: str) -> list[dict[str, Any]]:
    rows, _ = await audit_repo.query(action_prefix=action, limit=500)
    return rows


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every INSERT the group commit makes (the real one runs)."""
    sizes: list[int] = []
    real = audit_repo.append_many

    async def counting(events: list[dict[str, Any]]) -> None:
        sizes.append(len(events))
        await real(events)

    monkeypatch.setattr(audit_repo, "append_many", counting)
    return sizes


async def test_concurrent_events_share_inserts_and_every_one_is_written(world, statements) -> None:
    caller = _caller(world)
    await asyncio.gather(
        *(audit.record(caller, "test.read", subject_type="participant", n=i) for i in range(40))
    )
    written = await _events("test.read")
    assert sorted(e["detail"]["n"] for e in written) == list(range(40))
    assert sum(statements) == 40
    assert len(statements) < 40, "every event took its own INSERT and commit"
    assert all(e["client"] == "203.0.113.7" and e["actor_username"] == "mentor1" for e in written)


async def test_a_lone_event_is_written_before_the_call_returns(world, statements) -> None:
    await audit.record(_caller(world), "test.lone", subject_type="participant")
    assert len(await _events("test.lone")) == 1
    assert statements == [1]


async def test_concurrent_feed_fetches_are_each_audited(world) -> None:
    response = await world.post("mentor1", "/api/v1/calendar-subscriptions", json={"scope": "mentor"})
    path = "/" + response.json()["url"].split("/", 3)[3]
    answers = await asyncio.gather(*(world.client.get(path) for _ in range(12)))
    assert {a.status_code for a in answers} == {200}
    assert len(await _events("feed.fetched")) == 12


async def test_a_failed_write_fails_every_request_of_its_batch(world, monkeypatch) -> None:
    async def broken(events: list[dict[str, Any]]) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_repo, "append_many", broken)
    results = await asyncio.gather(
        *(audit.record(_caller(world), "test.failed") for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    monkeypatch.undo()
    # the writer is not stuck after a failure
    await audit.record(_caller(world), "test.after_failure")
    assert len(await _events("test.after_failure")) == 1
    assert await _events("test.failed") == []


async def test_inside_a_transaction_the_event_joins_it(world) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with db_module.transaction():
            await audit.record(_caller(world), "test.rolled_back")
            raise Abort
    assert await _events("test.rolled_back") == []
