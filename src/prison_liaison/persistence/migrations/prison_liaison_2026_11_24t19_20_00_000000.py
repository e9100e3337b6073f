"""A composite index on visit (participant, starts_at).

A participant's visits in a time range (the calendar feed's version query, the participant's busy times for
the slot finder, the participant's visit list) used to combine the single-column indexes: with 1 000 000
visits, PostgreSQL's generic plan for the prepared feed query ANDed a bitmap of ~330 000 ``starts_at`` entries
with the participant's 150, about 20 ms per feed request (bench/RESULTS.md). The composite index answers it
directly. Raw SQL because the table definitions cannot declare a composite index; it is the same on SQLite.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T19:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "visit (participant, starts_at) index for a participant's visits in a time range"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prison_liaison", description=DESCRIPTION)

    class VisitTable(Table, tablename="visit"):
        pass

    async def create_index() -> None:
        await VisitTable.raw(
            'CREATE INDEX IF NOT EXISTS visit_participant_starts_at ON "visit" ("participant", "starts_at")'
        )

    async def drop_index() -> None:
        await VisitTable.raw("DROP INDEX IF EXISTS visit_participant_starts_at")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
