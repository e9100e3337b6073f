"""Health checks."""

from __future__ import annotations

from prison_liaison.persistence import db


async def database_ok() -> bool:
    return await db.ping()
