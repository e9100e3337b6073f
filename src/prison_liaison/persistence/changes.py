"""Has anything a calendar feed's version reads changed since a token's version was read? Told without
querying the version per request.

PostgreSQL: triggers on every table the feed version query reads (migration of 2026-11-24T23:10) send
``NOTIFY prison_liaison_feeds`` when a transaction that wrote them commits: the API's, another worker's, a CLI
command's, an operator's SQL. Each process listens on one connection of its own and counts the notifications.

SQLite has no notifications: triggers on the same tables (same migration) move a one-row counter,
``feed_epoch``, which each process reads on a connection of its own in the event loop's thread (one cached page, no
thread hop). Being in the file, it is exact for every writer.

The *epoch* is this process's own count (its write statements and transactions move it as soon as they end,
so its own changes are seen at once, not only when the notification arrives a fraction of a millisecond
later) with the SQLite counter. A version read under an epoch is still the version while the epoch is the same.

``epoch()`` is None - "query the database" - whenever it cannot vouch for that: before the listener is
connected, after its connection failed or stopped answering its heartbeat, on an event loop other than the one
it listens on, and on SQLite when the counter cannot be read (not migrated yet, the file busy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import Any

CHANNEL = "prison_liaison_feeds"
APPLICATION_NAME = "prison-liaison feed watch"
HEARTBEAT_SECONDS = 5.0
RECONNECT_SECONDS = 1.0

log = logging.getLogger(__name__)

Epoch = tuple[int, int]
_COUNTER = 'SELECT "n" FROM "feed_epoch" WHERE "id" = 1'


class ChangeWatch:
    def __init__(self) -> None:
        self._epoch = 0
        self._sqlite: sqlite3.Connection | None = None
        self._listening = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None

    def epoch(self) -> Epoch | None:
        """The current epoch, or None when a version must be read from the database."""
        if self._sqlite is not None:
            try:
                rows = self._sqlite.execute(_COUNTER).fetchall()  # read to the end: no read snapshot stays open
            except sqlite3.Error:
                return None
            return (self._epoch, int(rows[0][0])) if rows else None
        if not self._listening:
            return None
        try:
            if asyncio.get_running_loop() is not self._loop:
                return None
        except RuntimeError:
            return None
        return (self._epoch, 0)

    def start_sqlite(self, path: str) -> None:
        """Read SQLite's ``feed_epoch`` counter from now on (read-only, never waiting for a lock)."""
        self.stop_sqlite()
        connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA query_only = 1")
        self._sqlite = connection

    def stop_sqlite(self) -> None:
        connection, self._sqlite = self._sqlite, None
        if connection is not None:
            connection.close()
        self.changed()

    def changed(self) -> None:
        """Something a feed shows may have changed: every version remembered so far is void."""
        self._epoch += 1

    async def start(self, connect_kwargs: dict[str, Any]) -> None:
        """Listen on a connection of its own (PostgreSQL); returns once listening or after the first failure."""
        await self.stop()
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._task = self._loop.create_task(self._run(dict(connect_kwargs)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        self._listening = False
        self.changed()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _lost(self, reason: str) -> None:
        if self._listening:
            log.warning("feed change listener lost (%s): feed versions are read from the database", reason)
        self._listening = False
        self.changed()

    async def _run(self, connect_kwargs: dict[str, Any]) -> None:
        import asyncpg

        assert self._ready is not None
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(
                    **connect_kwargs, server_settings={"application_name": APPLICATION_NAME}
                )
                lost = asyncio.Event()
                connection.add_termination_listener(_setter(lost))
                await connection.add_listener(CHANNEL, self._notified)
                # from here on every commit is either seen by the query that follows or notified
                self.changed()
                self._listening = True
                self._ready.set()
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), timeout=HEARTBEAT_SECONDS)
                    if not lost.is_set():
                        # a connection that died silently delivers nothing: it must answer, or we stop trusting it
                        await asyncio.wait_for(connection.fetchval("SELECT 1"), timeout=HEARTBEAT_SECONDS)
                self._lost("connection closed")
            except asyncio.CancelledError:
                self._lost("stopped")
                raise
            except Exception as exc:  # any failure: no remembered versions until listening again
                self._lost(type(exc).__name__)
            finally:
                self._ready.set()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        connection.terminate()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _notified(self, *_args: Any) -> None:
        self.changed()


def _setter(event: asyncio.Event) -> Any:
    return lambda _connection: event.set()


watch = ChangeWatch()
