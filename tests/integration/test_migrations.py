"""Migrations forwards on an empty database give exactly the schema the tables declare (both engines)."""

from __future__ import annotations

import pytest

from prison_liaison.persistence import db
from prison_liaison.persistence.tables import ALL_TABLES


async def _database_columns(table: str) -> dict[str, bool]:
    """Column name → nullable, as the database has it."""
    engine = db.engine()
    if db.is_sqlite():
        rows = await engine.run_ddl(f'PRAGMA table_info("{table}")')
        return {r["name"]: not r["notnull"] and not r["pk"] for r in rows}
    rows = await engine.run_ddl(
        "SELECT column_name, is_nullable FROM information_schema.columns "
        f"WHERE table_schema = 'public' AND table_name = '{table}'"
    )
    return {r["column_name"]: r["is_nullable"] == "YES" for r in rows}


async def _database_indexes(table: str) -> set[str]:
    engine = db.engine()
    if db.is_sqlite():
        rows = await engine.run_ddl(f'PRAGMA index_list("{table}")')
        return {r["name"] for r in rows if not r["name"].startswith("sqlite_autoindex")}
    rows = await engine.run_ddl(f"SELECT indexname FROM pg_indexes WHERE tablename = '{table}'")
    return {r["indexname"] for r in rows if not r["indexname"].endswith("_pkey")}


async def test_migrated_schema_matches_the_declared_tables(db) -> None:
    """The session fixture ran every migration on an empty database; compare it with tables.py."""
    for table in ALL_TABLES:
        name = table._meta.tablename
        declared = {c._meta.db_column_name: bool(c._meta.null) and not c._meta.primary_key
                    for c in table._meta.columns}
        assert await _database_columns(name) == declared, name
        declared_indexes = {f"{name}_{c._meta.db_column_name}" for c in table._meta.columns if c._meta.index}
        assert declared_indexes <= await _database_indexes(name), name


async def test_migrations_are_recorded_and_idempotent(db) -> None:
    from prison_liaison.persistence.migrate import migrate

    await migrate()  # a second run changes nothing and does not fail
    rows = await db_engine_rows("SELECT name FROM migration")
    assert len(rows) >= 2


async def db_engine_rows(sql: str) -> list[dict]:
    return list(await db.engine().run_ddl(sql))


async def test_feed_change_triggers_exist(db) -> None:
    """Without them every feed would answer 304 for ever after its first fetch."""
    if db_module_is_sqlite():
        rows = await db_engine_rows(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'feed_change_%'"
        )
        assert len(rows) == 21  # 7 tables x insert, update, delete
    else:
        rows = await db_engine_rows("SELECT tgrelid::regclass::text AS t FROM pg_trigger WHERE tgname = 'feed_change'")
        assert {r["t"] for r in rows} == {
            "visit", "visit_attendee", "visit_transition", "appointment", "plan_item", "mentor_assignment",
            "participant",
        }
    assert "feed_change_key_id" in await _database_indexes("feed_change")


_TWO_DATABASES = """
import asyncio, os, sys, tempfile
os.environ["PRISON_LIAISON_ENCRYPTION_KEY"] = "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s="
import pytest

from prison_liaison.persistence import db
from prison_liaison.persistence.migrate import migrate

async def main(pg_url):
    for url in (f"sqlite:///{tempfile.mkdtemp()}/first.sqlite", pg_url):
        db.configure(url)
        await db.open_engine()
        await migrate()
        await db.close_engine()
    db.configure(pg_url)
    await db.open_engine()
    rows = await db.engine().run_ddl("SELECT count(*) AS n FROM pg_trigger WHERE tgname = 'feed_change'")
    print(rows[0]["n"])
    await db.close_engine()

asyncio.run(main(sys.argv[1]))
"""


def test_a_process_that_migrates_two_databases_gives_each_its_triggers() -> None:
    """The benchmark migrates SQLite and then PostgreSQL in one process; the raw SQL of a migration must run on
    the database being migrated, not on the first one the process saw."""
    import asyncio
    import secrets
    import subprocess
    import sys

    from tests.conftest import _pg_admin, _pg_url

    name = f"pl_two_{secrets.token_hex(4)}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except OSError:
        pytest.skip("no PostgreSQL server to migrate")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TWO_DATABASES, _pg_url(name)], capture_output=True, text=True, timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().splitlines()[-1] == "7"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}"'))


def db_module_is_sqlite() -> bool:
    return db.is_sqlite()
