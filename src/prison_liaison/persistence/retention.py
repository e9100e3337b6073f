"""Bulk reads and writes for retention, subject access and key rotation."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from piccolo.columns import ForeignKey
from piccolo.table import Table

from prison_liaison.persistence.tables import ALL_TABLES, AuditEventTable, ParticipantTable

ENCRYPTED_SUFFIX = "_encrypted"


def _participant_tables() -> list[tuple[type[Table], Any]]:
    """Tables with a foreign key to participant, and that column."""
    found = []
    for table in ALL_TABLES:
        for col in table._meta.foreign_key_columns:
            fk: ForeignKey = col  # type: ignore[assignment]
            if fk._foreign_key_meta.resolved_references is ParticipantTable:
                found.append((table, col))
    return found


async def rows_about(participant_id: UUID) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about one participant, by table (encrypted columns still encrypted)."""
    out: dict[str, list[dict[str, Any]]] = {}
    out["participant"] = list(await ParticipantTable.select().where(ParticipantTable.id == participant_id))
    for table, col in _participant_tables():
        out[table._meta.tablename] = list(await table.select().where(col == participant_id))
    out["audit_event"] = list(
        await AuditEventTable.select().where(AuditEventTable.participant_id == participant_id).order_by(
            AuditEventTable.at
        )
    )
    return out


async def encrypted_fields() -> list[tuple[type[Table], str, UUID, str]]:
    """(table, column, row id, ciphertext) for every non-empty encrypted column."""
    result = []
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


def loads_json(value: Any) -> Any:
    # ("" in "[{" is true: compare the first character itself, or empty strings fail to parse)
    return json.loads(value) if isinstance(value, str) and value[:1] in ("[", "{") else value
