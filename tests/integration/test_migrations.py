"""Migrations forwards on an empty database give exactly the schema the tables declare (both engines)."""

from __future__ import annotations

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
