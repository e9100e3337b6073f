"""feed_change: one row whenever something a calendar feed shows changes, written by triggers.

A feed's version used to aggregate every event row of the feed on every fetch (seven sub-selects; about 0.7 ms
of PostgreSQL time for 200 events, linear in the feed's size, and a full scan of the participants for a prison
feed). Now the version is the newest ``feed_change`` id among the feed's keys, one index probe per key
(persistence/feeds.py). Keys: the participant of a visit, appointment, plan item, assignment or the
participant row itself; the prison of a visit (and the prisons a participant visits, when the participant
row changes: a prison's visitor list shows codes and initials); the mentor of an assignment.

Triggers, not application code, so that every write counts: the API's, a CLI command's, an operator's SQL.
The table came in the migration before (through Piccolo, so that later auto migrations know it): Piccolo runs
a migration's raw SQL before its table operations. The index and the triggers are raw SQL, one dialect each.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T20:33:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feed_change index and the triggers that write it"

# table -> the columns whose values are feed keys, on the row itself
DIRECT = {
    "visit": ("participant", "prison"),
    "appointment": ("participant",),
    "plan_item": ("participant",),
    "mentor_assignment": ("participant", "mentor"),
}
# tables whose rows belong to a visit: the keys are that visit's participant and prison
BY_VISIT = ("visit_attendee", "visit_transition")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")

POSTGRES_FUNCTIONS = (
    """
CREATE OR REPLACE FUNCTION feed_change_by_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text;
    keys uuid[] := ARRAY[]::uuid[];  -- (no braces: Piccolo's raw() reads {} as a placeholder)
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF TG_OP <> 'INSERT' THEN keys := keys || (to_jsonb(OLD) ->> col)::uuid; END IF;
        IF TG_OP <> 'DELETE' THEN keys := keys || (to_jsonb(NEW) ->> col)::uuid; END IF;
    END LOOP;
    INSERT INTO feed_change ("key") SELECT DISTINCT k FROM unnest(keys) AS k WHERE k IS NOT NULL;
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION feed_change_by_visit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    visits uuid[] := ARRAY[]::uuid[];  -- (no braces: Piccolo's raw() reads {} as a placeholder)
BEGIN
    IF TG_OP <> 'INSERT' THEN visits := visits || OLD.visit; END IF;
    IF TG_OP <> 'DELETE' THEN visits := visits || NEW.visit; END IF;
    INSERT INTO feed_change ("key")
        SELECT DISTINCT k FROM visit v, LATERAL (VALUES (v.participant), (v.prison)) AS x(k)
        WHERE v.id = ANY(visits) AND k IS NOT NULL;
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION feed_change_participant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN p := OLD.id; ELSE p := NEW.id; END IF;
    INSERT INTO feed_change ("key") VALUES (p);
    INSERT INTO feed_change ("key")
        SELECT DISTINCT v.prison FROM visit v WHERE v.participant = p AND v.prison IS NOT NULL;
    RETURN NULL;
END $$
""",
)  # one statement each: asyncpg prepares every statement


def _postgres_statements() -> list[str]:
    statements = list(POSTGRES_FUNCTIONS)
    for table, columns in DIRECT.items():
        arguments = ", ".join(f"'{c}'" for c in columns)
        statements.append(
            f'CREATE TRIGGER feed_change AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION feed_change_by_columns({arguments})"
        )
    for table in BY_VISIT:
        statements.append(
            f'CREATE TRIGGER feed_change AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION feed_change_by_visit()"
        )
    statements.append(
        'CREATE TRIGGER feed_change AFTER INSERT OR UPDATE OR DELETE ON "participant" '
        "FOR EACH ROW EXECUTE FUNCTION feed_change_participant()"
    )
    return statements


def _rows(operation: str) -> tuple[str, ...]:
    return {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[operation]


def _sqlite_statements() -> list[str]:
    statements = []
    for operation in OPERATIONS:
        rows = _rows(operation)
        for table, columns in DIRECT.items():
            keys = " UNION ".join(f'SELECT {r}."{c}" AS k' for r in rows for c in columns)
            statements.append(_sqlite_trigger(table, operation, keys))
        visits = ", ".join(f'{r}."visit"' for r in rows)
        for table in BY_VISIT:
            keys = (
                f'SELECT v."participant" AS k FROM "visit" v WHERE v."id" IN ({visits}) '
                f'UNION SELECT v."prison" FROM "visit" v WHERE v."id" IN ({visits})'
            )
            statements.append(_sqlite_trigger(table, operation, keys))
        row = rows[-1]
        keys = f'SELECT {row}."id" AS k UNION SELECT v."prison" FROM "visit" v WHERE v."participant" = {row}."id"'
        statements.append(_sqlite_trigger("participant", operation, keys))
    return statements


def _sqlite_trigger(table: str, operation: str, keys: str) -> str:
    return (
        f'CREATE TRIGGER IF NOT EXISTS "feed_change_{table}_{operation.lower()}" AFTER {operation} ON "{table}" '
        f'BEGIN INSERT INTO "feed_change" ("key") SELECT k FROM ({keys}) WHERE k IS NOT NULL; END'
    )


def _drop_statements(engine_type: str) -> list[str]:
    tables = [*DIRECT, *BY_VISIT, "participant"]
    if engine_type == "sqlite":
        return [
            f'DROP TRIGGER IF EXISTS "feed_change_{t}_{o.lower()}"' for t in tables for o in OPERATIONS
        ]
    return [f'DROP TRIGGER IF EXISTS feed_change ON "{t}"' for t in tables] + [
        f"DROP FUNCTION IF EXISTS {f}()"
        for f in ("feed_change_by_columns", "feed_change_by_visit", "feed_change_participant")
    ]


def _table() -> type[Table]:
    """Bound to the engine of this run: a class made at import would keep the engine of the first database a
    process migrated (the benchmark migrates SQLite and then PostgreSQL in one process)."""

    class FeedChangeTable(Table, tablename="feed_change"):
        pass

    return FeedChangeTable


async def _create_index_and_triggers() -> None:
    table = _table()
    engine_type = table._meta.db.engine_type
    await table.raw('CREATE INDEX IF NOT EXISTS feed_change_key_id ON "feed_change" ("key", "id")')
    for statement in _sqlite_statements() if engine_type == "sqlite" else _postgres_statements():
        await table.raw(statement)


async def _drop_index_and_triggers() -> None:
    table = _table()
    for statement in _drop_statements(table._meta.db.engine_type):
        await table.raw(statement)
    await table.raw("DROP INDEX IF EXISTS feed_change_key_id")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prison_liaison", description=DESCRIPTION)
    manager.add_raw(_create_index_and_triggers)
    manager.add_raw_backwards(_drop_index_and_triggers)
    return manager
