"""Bulk reads and writes for retention, subject access and key rotation."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from piccolo.columns import JSON, JSONB, ForeignKey
from piccolo.table import Table

from prison_liaison.persistence.tables import ALL_TABLES, ParticipantTable

ENCRYPTED_SUFFIX = "_encrypted"


def _children(parents: set[type[Table]]) -> list[tuple[type[Table], Any, type[Table]]]:
    """(table, foreign-key column, referenced table) for every table pointing at one of ``parents``."""
    found = []
    for table in ALL_TABLES:
        for col in table._meta.foreign_key_columns:
            fk: ForeignKey = col  # type: ignore[assignment]
            ref = fk._foreign_key_meta.resolved_references
            if ref in parents and table is not ref:
                found.append((table, col, ref))
    return found


def _decoded(table: type[Table], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON columns as values (PostgreSQL and SQLite hand them back as text)."""
    json_cols = [c._meta.name for c in table._meta.columns if isinstance(c, JSON | JSONB)]
    for row in rows:
        for name in json_cols:
            if isinstance(row.get(name), str):
                row[name] = json.loads(row[name]) if row[name] else None
    return rows


async def rows_about(participant_id: UUID) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about one participant, by table: the participant, the rows pointing at it, the rows
    pointing at those (visit transitions, plan item history …). Encrypted columns are returned still
    encrypted; the audit events are persistence.audit.for_participant's."""
    out: dict[str, list[dict[str, Any]]] = {}
    rows = list(await ParticipantTable.select().where(ParticipantTable.id == participant_id))
    out["participant"] = _decoded(ParticipantTable, rows)
    ids: dict[type[Table], list[Any]] = {ParticipantTable: [participant_id] if rows else []}
    level: set[type[Table]] = {ParticipantTable}
    seen: set[type[Table]] = {ParticipantTable}
    while level:
        next_level: set[type[Table]] = set()
        for table, col, ref in _children(level):
            if table in seen or not ids.get(ref):
                continue
            found = _decoded(table, list(await table.select().where(col.is_in(ids[ref]))))
            out[table._meta.tablename] = found
            ids[table] = [r["id"] for r in found]
            next_level.add(table)
        seen |= next_level
        level = next_level
    return out


async def encrypted_fields() -> list[tuple[type[Table], str, UUID, str]]:
    """(table, column, row id, ciphertext) for every non-empty encrypted column."""
    result: list[tuple[type[Table], str, UUID, str]] = []
    for table in ALL_TABLES:
        for col in table._meta.columns:
            name = col._meta.name
            if not name.endswith(ENCRYPTED_SUFFIX):
                continue
            rows = await table.select(table._meta.primary_key, col).where(col != "")
            result.extend((table, name, r["id"], r[name]) for r in rows)
    return result


async def write_encrypted(table: type[Table], column: str, row_id: UUID, value: str) -> None:
    col = table._meta.get_column_by_name(column)
    await table.update({col: value}).where(table._meta.primary_key == row_id)

