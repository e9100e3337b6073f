"""The embedded SQLite engine lends idle connections to statements and transactions, and gets them back clean."""

from __future__ import annotations

import asyncio

import aiosqlite
import pytest

from prison_liaison.persistence import audit as audit_repo
from prison_liaison.persistence import db as db_module
from prison_liaison.services import audit
from prison_liaison.services.context import system

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opened: list[int] = []
    real = aiosqlite.connect

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(aiosqlite, "connect", counting)
    return opened


async def test_transactions_reuse_idle_connections(db, connects) -> None:
    caller = system("test")
    for i in range(20):
        async with db_module.transaction():
            await audit.record(caller, "test.pooled", n=i)
    assert len(connects) <= 1, "every transaction opened its own connection"
    rows, _ = await audit_repo.query(action_prefix="test.pooled", limit=50)
    assert len(rows) == 20


async def test_a_failed_transaction_leaves_nothing_and_a_clean_connection(db) -> None:
    caller = system("test")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db_module.transaction():
            await audit.record(caller, "test.half_written")
            raise Boom
    engine = db_module.engine()
    assert isinstance(engine, db_module.PooledSQLiteEngine)
    idle = engine._idle[id(asyncio.get_running_loop())]
    assert idle and not any(c.in_transaction for c in idle)
    await audit.record(caller, "test.after")  # on a connection the failed transaction gave back
    assert (await audit_repo.query(action_prefix="test.half_written"))[0] == []
    assert len((await audit_repo.query(action_prefix="test.after"))[0]) == 1


async def test_connections_run_with_full_synchronous_commits(db) -> None:
    """An acknowledged write must survive a power cut, not only a crash of the process."""
    async with db_module.transaction():
        rows = await db_module.engine().run_ddl("PRAGMA synchronous")
    assert rows[0]["synchronous"] == 2  # FULL
    assert (await db_module.engine().run_ddl("PRAGMA synchronous"))[0]["synchronous"] == 2
