"""feed_epoch (SQLite): one counter that every write to a table the feed version reads moves, by trigger.

SQLite has no LISTEN/NOTIFY (see the migration of 23:10 for PostgreSQL). Instead, each server process reads
this one-row counter on a connection of its own, in the event loop's thread (microseconds: one page, no thread
hop), and while it has not moved since a token's version was read, that version is still the version
(persistence/changes.py). The counter sits in the database file, so every writer moves it: this process,
another one, a CLI command, an operator's SQL. It is exact, unlike a notification, which arrives a little
after the commit.

PostgreSQL: nothing to do here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feed_epoch counter and its triggers (SQLite)"

# every table the feed version query reads (the same list as the PostgreSQL notify triggers of 23:10)
TABLES = ("feed_change", "calendar_subscription", "app_user", "prison", "participant", "mentor_assignment")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _table() -> type[Table]:
    """Bound to the engine of this run (see the feed_change migration of 20:33)."""

    class FeedChangeTable(Table, tablename="feed_change"):
        pass

    return FeedChangeTable


async def _create() -> None:
    table = _table()
    if table._meta.db.engine_type != "sqlite":
        return
    await table.raw(
        'CREATE TABLE IF NOT EXISTS "feed_epoch" ("id" INTEGER PRIMARY KEY CHECK ("id" = 1), "n" INTEGER NOT NULL)'
    )
    await table.raw('INSERT OR IGNORE INTO "feed_epoch" ("id", "n") VALUES (1, 0)')
    for name in TABLES:
        for operation in OPERATIONS:
            await table.raw(
                f'CREATE TRIGGER IF NOT EXISTS "feed_epoch_{name}_{operation.lower()}" AFTER {operation} ON "{name}" '
                'BEGIN UPDATE "feed_epoch" SET "n" = "n" + 1 WHERE "id" = 1; END'
            )


async def _drop() -> None:
    table = _table()
    if table._meta.db.engine_type != "sqlite":
        return
    for name in TABLES:
        for operation in OPERATIONS:
            await table.raw(f'DROP TRIGGER IF EXISTS "feed_epoch_{name}_{operation.lower()}"')
    await table.raw('DROP TABLE IF EXISTS "feed_epoch"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prison_liaison", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
