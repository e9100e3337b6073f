"""feed_change, the table the triggers of the next migration write (see there)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigSerial
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-24T20:32:08:161629"
VERSION = "1.38.0"
DESCRIPTION = "feed_change rows written by triggers, for cheap calendar feed versions"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="prison_liaison", description=DESCRIPTION
    )

    manager.add_table(
        class_name="FeedChangeTable",
        tablename="feed_change",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="FeedChangeTable",
        tablename="feed_change",
        column_name="id",
        db_column_name="id",
        column_class_name="BigSerial",
        column_class=BigSerial,
        params={
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="FeedChangeTable",
        tablename="feed_change",
        column_name="key",
        db_column_name="key",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
