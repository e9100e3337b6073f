"""Tell server processes when a table a feed version reads changed, so that an unchanged feed needs no query.

Every table the feed version query reads (persistence/feeds.py ``_version_query``) gets triggers; a test
compares ``TABLES`` with that query. Visits, appointments and the rest reach the feeds through
``feed_change``, which has triggers of its own. Every write counts, whoever makes it: the API, another worker,
a CLI command, an operator's SQL. How a process uses this: persistence/changes.py.

- PostgreSQL: a statement-level trigger sends ``NOTIFY prison_liaison_feeds`` (delivered at commit;
  PostgreSQL folds identical notifications of one transaction into one). Each process listens.
- SQLite has no LISTEN/NOTIFY: row triggers move a one-row counter, ``feed_epoch``, that each process reads.
  Being in the file, it is exact for every writer.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feed change notifications (PostgreSQL) and the feed_epoch counter (SQLite)"

CHANNEL = "prison_liaison_feeds"
TABLES = ("feed_change", "calendar_subscription", "app_user", "prison", "participant", "mentor_assignment")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION feed_version_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$
"""


def _table() -> type[Table]:
    """Bound to the engine of this run (see the feed_change migration of 20:33)."""

    class FeedChangeTable(Table, tablename="feed_change"):
        pass

    return FeedChangeTable


def _postgres_statements() -> list[str]:
    return [POSTGRES_FUNCTION] + [
        f'CREATE TRIGGER feed_version_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION feed_version_notify()"
        for name in TABLES
    ]


def _sqlite_statements() -> list[str]:
    return [
        'CREATE TABLE IF NOT EXISTS "feed_epoch" ("id" INTEGER PRIMARY KEY CHECK ("id" = 1), "n" INTEGER NOT NULL)',
        'INSERT OR IGNORE INTO "feed_epoch" ("id", "n") VALUES (1, 0)',
    ] + [
        f'CREATE TRIGGER IF NOT EXISTS "feed_epoch_{name}_{operation.lower()}" AFTER {operation} ON "{name}" '
        'BEGIN UPDATE "feed_epoch" SET "n" = "n" + 1 WHERE "id" = 1; END'
        for name in TABLES
        for operation in OPERATIONS
    ]


def _drop_statements(engine_type: str) -> list[str]:
    if engine_type == "sqlite":
        return [
            f'DROP TRIGGER IF EXISTS "feed_epoch_{name}_{operation.lower()}"'
            for name in TABLES
            for operation in OPERATIONS
        ] + ['DROP TABLE IF EXISTS "feed_epoch"']
    return [f'DROP TRIGGER IF EXISTS feed_version_notify ON "{name}"' for name in TABLES] + [
        "DROP FUNCTION IF EXISTS feed_version_notify()"
    ]


async def _create() -> None:
    table = _table()
    sqlite = table._meta.db.engine_type == "sqlite"
    for statement in _sqlite_statements() if sqlite else _postgres_statements():
        await table.raw(statement)


async def _drop() -> None:
    table = _table()
    for statement in _drop_statements(table._meta.db.engine_type):
        await table.raw(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prison_liaison", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
