"""Helpers shared by repositories: versioned updates, cursors."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.table import Table

from prison_liaison.planning.errors import NotFound, StaleVersion, ValidationFailed


async def versioned_update(
    table: type[Table], record_id: UUID, values: dict[str, Any], *, expected_version: int | None, now: datetime
) -> int:
    """Update one row if its version still matches; bump the version. Returns the new version.

    ``expected_version=None`` skips the check (server-side changes that already hold the row).
    """
    cols = table._meta.columns
    by_name = {c._meta.name: c for c in cols}
    payload: dict[Any, Any] = {by_name[k]: v for k, v in values.items()}
    payload[by_name["updated_at"]] = now
    payload[by_name["version"]] = by_name["version"] + 1  # type: ignore[operator]
    where: Any = by_name["id"] == record_id
    if expected_version is not None:
        where = where & (by_name["version"] == expected_version)
    rows = await table.update(payload).where(where).returning(by_name["version"])
    if rows:
        return int(rows[0]["version"])
    exists = await table.exists().where(by_name["id"] == record_id)
    if not exists:
        raise NotFound(f"{table._meta.tablename} not found")
    raise StaleVersion(
        "the record was changed by someone else; reload it and apply your change again",
        field="If-Match",
    )


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else str(v) for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("cursor is not one this service issued", field="cursor") from exc
    if not isinstance(values, list) or len(values) != arity or not all(isinstance(v, str) for v in values):
        raise ValidationFailed("cursor is not one this service issued", field="cursor")
    return values


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_value(value: Any) -> Any:
    """JSON columns come back decoded on some engines and as text on others."""
    if isinstance(value, str | bytes):
        return json.loads(value) if value else None
    return value
