"""Operator tasks: migrate, health of the schema."""

from __future__ import annotations

from prison_liaison.persistence.migrate import migrate as _migrate


async def migrate() -> None:
    await _migrate()
