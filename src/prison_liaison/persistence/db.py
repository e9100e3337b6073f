"""Engine set-up: one engine per process, chosen at run time from the database URL."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

_engine: Engine | None = None
_url: str | None = None

SQLITE_TIMEOUT_SECONDS = 30


def make_engine(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        if not path.startswith("/"):
            path = str(Path.cwd() / path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=SQLITE_TIMEOUT_SECONDS)
    if parsed.scheme in {"postgres", "postgresql"}:
        config: dict[str, Any] = {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": unquote(parsed.username or "postgres"),
            "database": (parsed.path or "/postgres").lstrip("/") or "postgres",
        }
        if parsed.password:
            config["password"] = unquote(parsed.password)
        return PostgresEngine(config=config, log_queries=False)
    raise ValueError(f"unsupported database URL scheme: {parsed.scheme!r}")


def configure(url: str) -> Engine:
    """Make ``url`` the database of this process and bind every table to it."""
    global _engine, _url  # noqa: PLW0603
    if _engine is not None and _url == url:
        return _engine
    from piccolo.apps.migrations.tables import Migration

    from prison_liaison.persistence.tables import ALL_TABLES

    engine = make_engine(url)
    for table in (*ALL_TABLES, Migration):
        table._meta.db = engine
    _engine, _url = engine, url
    os.environ.setdefault("PICCOLO_CONF", "prison_liaison.persistence.piccolo_conf")
    return engine


def engine() -> Engine:
    if _engine is None:
        from prison_liaison.settings import get_settings

        return configure(get_settings().database_url)
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


async def open_engine() -> None:
    """Start the PostgreSQL pool, or put SQLite into WAL mode (persisted in the file)."""
    eng = engine()
    if isinstance(eng, PostgresEngine):
        if eng.pool is None:
            await eng.start_connection_pool(min_size=2, max_size=20)
    else:
        await eng.run_ddl("PRAGMA journal_mode=WAL")
        await eng.run_ddl("PRAGMA synchronous=NORMAL")


async def close_engine() -> None:
    eng = engine()
    if isinstance(eng, PostgresEngine) and eng.pool is not None:
        await eng.close_connection_pool()
        eng.pool = None


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One write, one transaction: IMMEDIATE on SQLite so read-then-write never deadlocks."""
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        async with eng.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with eng.transaction():
            yield


async def ping() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:  # noqa: BLE001 — health check reports any failure as "down"
        logging.getLogger(__name__).exception("database ping failed")
        return False
    return True
