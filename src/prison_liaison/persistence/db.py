"""Engine set-up: one engine per process, chosen at run time from the database URL."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from prison_liaison.persistence import changes

_engine: Engine | None = None
_url: str | None = None

SQLITE_TIMEOUT_SECONDS = 30


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a new connection (and an aiosqlite thread) for every statement and every
    transaction; that dominated short requests (a feed's version check, an audit insert) and every write. This
    keeps idle connections per event loop and lends them to statements and transactions alike.

    Every connection runs with ``synchronous = FULL``: in WAL mode a commit is on disk before the caller hears
    of it, so an acknowledged write survives a power cut (``NORMAL`` survives only a process crash), as on
    PostgreSQL. It costs an fsync per commit (about 0.1 ms on this machine's disk).
    """

    # idle connections kept (each holds an aiosqlite thread): with fewer than the concurrent requests, the
    # surplus was closed after every statement and reopened (a new thread) for the next
    POOL_SIZE = 32

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._idle: dict[int, list[Any]] = {}

    async def _borrow(self) -> Any:
        import aiosqlite

        idle = self._idle.setdefault(id(asyncio.get_running_loop()), [])
        if idle:
            return idle.pop()
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("PRAGMA synchronous = FULL")
        return connection

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self._borrow()
        reusable = False
        try:
            # one trip to the connection's thread instead of four (execute, fetch, commit, close): aiosqlite's
            # queue accepts any function; the commit only when the statement opened a transaction (a write)
            rows = await connection._execute(_run_and_commit, connection._conn, query, args or [])
            reusable = True
            return rows
        finally:
            await self._give_back(connection, reusable=reusable)

    async def _give_back(self, connection: Any, *, reusable: bool) -> None:
        idle = self._idle.setdefault(id(asyncio.get_running_loop()), [])
        if reusable and len(idle) < self.POOL_SIZE:
            idle.append(connection)
        else:
            with contextlib.suppress(Exception):
                await connection.rollback()
            await connection.close()

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _PooledTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def close_idle(self) -> None:
        idle = self._idle.pop(id(asyncio.get_running_loop()), [])
        for connection in idle:
            await connection.close()


class _PooledTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction on a connection from the idle pool, given back afterwards (Piccolo opens a
    connection and a thread per transaction and closes them: about a millisecond per write)."""

    async def get_connection(self) -> Any:
        engine = self.engine
        assert isinstance(engine, PooledSQLiteEngine)
        return await engine._borrow()

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        engine = self.engine
        assert isinstance(engine, PooledSQLiteEngine)
        reusable = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            reusable = not self.connection.in_transaction
        finally:
            engine.current_transaction.reset(self.context)
            await engine._give_back(self.connection, reusable=reusable)
        return exception is None


def _run_and_commit(connection: sqlite3.Connection, query: str, args: list[Any]) -> list[Any]:
    """Runs in the aiosqlite thread that owns ``connection``."""
    cursor = connection.execute(query, args)
    try:
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if connection.in_transaction:
        connection.commit()
    return rows


class WatchedPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, telling the feed change watch when one of its own statements outside a
    transaction may have written (transactions tell it in ``transaction()``), so that this process's next
    feed request does not wait for the notification."""

    async def _run_in_pool(self, query: str, args: Any = None) -> Any:
        try:
            return await super()._run_in_pool(query, args)
        finally:
            _wrote(query)

    async def _run_in_new_connection(self, query: str, args: Any = None) -> Any:
        try:
            return await super()._run_in_new_connection(query, args)
        finally:
            _wrote(query)


def _wrote(query: str) -> None:
    if query.lstrip()[:6].upper() != "SELECT":
        changes.watch.changed()


def make_engine(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        if not path.startswith("/"):
            path = str(Path.cwd() / path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=path, timeout=SQLITE_TIMEOUT_SECONDS)
    if parsed.scheme in {"postgres", "postgresql"}:
        config: dict[str, Any] = {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": unquote(parsed.username or "postgres"),
            "database": (parsed.path or "/postgres").lstrip("/") or "postgres",
        }
        if parsed.password:
            config["password"] = unquote(parsed.password)
        return WatchedPostgresEngine(config=config, log_queries=False)
    raise ValueError(f"unsupported database URL scheme: {parsed.scheme!r}")


def configure(url: str) -> Engine:
    """Make ``url`` the database of this process and bind every table to it."""
    global _engine, _url
    if _engine is not None and _url == url:
        return _engine
    from piccolo.apps.migrations.tables import Migration

    from prison_liaison.persistence.tables import ALL_TABLES

    engine = make_engine(url)
    for table in (*ALL_TABLES, Migration):
        table._meta.db = engine  # type: ignore[attr-defined]
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


async def _release_connection(connection: object) -> None:
    """What a pooled PostgreSQL connection needs when it goes back to the pool: nothing beyond what asyncpg
    always does (roll back an open transaction, drop listeners).

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` after
    every statement that borrowed a connection: a second round trip per statement. This application never
    changes session state (no session ``SET``, ``LISTEN``, advisory locks or cursors outside a transaction;
    ``SET LOCAL`` ends with its transaction), so there is nothing to undo.
    """


async def open_engine(*, watch_changes: bool = True) -> None:
    """Start the PostgreSQL pool, or put SQLite into WAL mode (persisted in the file); and the feed change
    watch (``persistence.changes``) for a process that serves feeds."""
    eng = engine()
    if isinstance(eng, PostgresEngine):
        if eng.pool is None:
            await eng.start_connection_pool(min_size=2, max_size=20, reset=_release_connection)
        if watch_changes:
            await changes.watch.start(eng.config)
    else:
        await eng.run_ddl("PRAGMA journal_mode=WAL")
        await eng.run_ddl("PRAGMA synchronous=FULL")
        if watch_changes and isinstance(eng, PooledSQLiteEngine):
            changes.watch.start_sqlite(eng.connection_kwargs["database"])


async def close_engine() -> None:
    eng = engine()
    await changes.watch.stop()
    changes.watch.stop_sqlite()
    if isinstance(eng, PostgresEngine) and eng.pool is not None:
        await eng.close_connection_pool()
        eng.pool = None
    if isinstance(eng, PooledSQLiteEngine):
        await eng.close_idle()


_after_transaction: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = contextvars.ContextVar(
    "after_transaction", default=None
)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One write, one transaction: IMMEDIATE on SQLite so read-then-write never deadlocks.

    Work registered with ``after_transaction`` runs once the outermost transaction has ended, committed or
    rolled back (an exception from the transaction still propagates afterwards).
    """
    if _after_transaction.get() is not None:  # nested: the outer transaction runs the work
        async with _begin():
            yield
        return
    pending: list[Callable[[], Awaitable[None]]] = []
    token = _after_transaction.set(pending)
    try:
        async with _begin():
            yield
    finally:
        _after_transaction.reset(token)
        changes.watch.changed()  # committed or not: remembered feed versions are re-read
        for work in pending:
            await work()


def _begin() -> Any:
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        return eng.transaction(transaction_type=TransactionType.immediate)
    return eng.transaction()


def after_transaction(work: Callable[[], Awaitable[None]]) -> bool:
    """Run ``work`` when the current transaction has ended, whatever its outcome; False if none is open (then
    the caller runs it itself). For writes that must not share the transaction's fate, such as the audit
    event of a refused request that rolls the transaction back."""
    pending = _after_transaction.get()
    if pending is None or not in_transaction():
        return False
    pending.append(work)
    return True


async def execute_outside_transaction(sql: str, args: list[Any]) -> None:
    """One statement on its own (autocommit), SQL already in the engine's dialect (``$1`` on PostgreSQL,
    ``?`` on SQLite): for the hottest write, an audit row, without Piccolo's query building."""
    eng = engine()
    if in_transaction():
        raise RuntimeError("execute_outside_transaction inside a transaction")
    if isinstance(eng, PooledSQLiteEngine):
        await eng._run_in_new_connection(sql, args)
    elif isinstance(eng, PostgresEngine) and eng.pool is not None:
        async with eng.pool.acquire() as connection:
            await connection.execute(sql, *args)
    elif isinstance(eng, PostgresEngine):  # a command-line run without the pool
        await eng._run_in_new_connection(sql, args)
    else:
        raise TypeError(f"unsupported engine {type(eng).__name__}")


def in_transaction() -> bool:
    """Is a transaction open in this task (so that a statement now would join it)?"""
    return engine().transaction_exists()


async def ping() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:
        logging.getLogger(__name__).exception("database ping failed")
        return False
    return True
