"""Feed change notifications: PostgreSQL tells listening processes when a table a feed version reads changed.

A statement-level trigger on each table the feed version query reads (persistence/feeds.py ``_version_query``)
sends ``NOTIFY prison_liaison_feeds`` (delivered at commit; PostgreSQL folds identical notifications of one
transaction into one). Each server process counts them (persistence/changes.py) and, while none came,
answers an unchanged feed without querying its version. Every write counts, whoever makes it: the visits,
appointments and the rest reach the feeds through ``feed_change``, which has a trigger of its own.

SQLite has no LISTEN/NOTIFY: nothing to do there; its feeds read their version on every request.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "NOTIFY prison_liaison_feeds when a table a feed version reads changes"

CHANNEL = "prison_liaison_feeds"
# every table the feed version query reads; a test compares this with the query itself
TABLES = ("feed_change", "calendar_subscription", "app_user", "prison", "participant", "mentor_assignment")

FUNCTION = f"""
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


async def _create() -> None:
    table = _table()
    if table._meta.db.engine_type == "sqlite":
        return
    await table.raw(FUNCTION)
    for name in TABLES:
        await table.raw(
            f'CREATE TRIGGER feed_version_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION feed_version_notify()"
        )


async def _drop() -> None:
    table = _table()
    if table._meta.db.engine_type == "sqlite":
        return
    for name in TABLES:
        await table.raw(f'DROP TRIGGER IF EXISTS feed_version_notify ON "{name}"')
    await table.raw("DROP FUNCTION IF EXISTS feed_version_notify()")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prison_liaison", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
