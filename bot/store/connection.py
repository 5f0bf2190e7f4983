"""One writer connection under one lock, and a reader connection: the SQLite store's plumbing.

Every write goes through the writer under one asyncio lock, so a query logged or a feedback
click saved while an import runs waits for it and can never commit half of it. Reads use their
own connection and see only committed data. ``:memory:`` (``ask`` and ``eval``) uses one
connection for both, since two connections cannot share a private memory database.
"""

from __future__ import annotations

import asyncio
import math
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.base import StoreError
from bot.store.schema import migrate
from bot.text import storable


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteConnection:
    """The connections of a SQLite store, opened, migrated and closed together."""

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        if not (math.isfinite(timeout) and timeout > 0):
            # inf made SQLite wait forever on a lock; the settings refuse it too, this is the last guard.
            raise StoreError(f"the busy timeout must be a positive number of seconds, not {timeout!r}")
        self.path = str(path)
        self.timeout = timeout
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        """The connection reads go to."""
        if self._reader is None:
            raise StoreError("the store is not open")
        return self._reader

    async def _connect(self) -> aiosqlite.Connection:
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), never implicit.
        db = await aiosqlite.connect(self.path, timeout=self.timeout, isolation_level=None)
        # The busy timeout first: every later statement may meet another process's lock.
        await db.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
        return db

    async def open(self) -> None:
        memory = self.path == ":memory:"
        if not memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            if not memory:
                await self._enable_wal(self._writer)
            await self._writer.execute("PRAGMA foreign_keys=ON")
            await migrate(self._writer, self.path)
            self._reader = self._writer if memory else await self._connect()
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise StoreError(self._explain(exc)) from exc
        except BaseException:
            await self.close()
            raise

    async def _enable_wal(self, db: aiosqlite.Connection) -> None:
        # Switching a fresh file to WAL needs an exclusive lock, and SQLite may report "locked"
        # at once, without calling the busy handler, while another process opens it too: retry.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(random.uniform(0.005, 0.05))

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return f"database {self.path} is locked by another process (waited {self.timeout:g}s): {text}"
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return (
                f"database {self.path} is corrupt or not a SQLite file ({text}); move it aside and restart to re-import"
            )
        return f"database {self.path}: {text}"

    async def close(self) -> None:
        for db in {id(c): c for c in (self._reader, self._writer) if c is not None}.values():
            await db.close()
        self._reader = self._writer = None

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """One read on the reader connection."""
        try:
            return list(await self.db.execute_fetchall(sql, storable_params(params)))
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from exc

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement on the writer, committed on its own; returns the new row id."""
        if self._writer is None:
            raise StoreError("the store is not open")
        async with self._lock:
            try:
                cur = await self._writer.execute(sql, storable_params(params))
                return int(cur.lastrowid or 0)
            except sqlite3.DatabaseError as exc:
                raise StoreError(self._explain(exc)) from exc

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: committed if the block succeeds, rolled back otherwise
        (also when the task is cancelled)."""
        db = self._writer
        if db is None:
            raise StoreError("the store is not open")
        async with self._lock:
            try:
                await db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    await db.execute("COMMIT")
                except BaseException:
                    # Queued behind any statement still running, so it undoes all of them; a
                    # second cancellation cannot stop it, and the next writer queues after it.
                    await asyncio.shield(db.rollback())
                    raise
            except sqlite3.DatabaseError as exc:
                raise StoreError(self._explain(exc)) from exc


def storable_params(params: Sequence[Any]) -> tuple[Any, ...]:
    # Every text bound to SQLite, read or written, as valid Unicode: a lone surrogate from chat
    # input would otherwise make the driver raise UnicodeEncodeError.
    return tuple(storable(p) if isinstance(p, str) else p for p in params)
