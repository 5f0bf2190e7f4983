"""The PostgreSQL store's plumbing: an asyncpg pool, transactions, errors, and LISTEN/NOTIFY.

The pool reconnects by itself: after a database restart the first statements on dead
connections fail (as a :class:`StoreError`, so /healthz reports it), and the pool replaces them.
Transactions are the database's, so several processes write safely without a lock of ours.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.store.base import StoreError
from bot.store.connection import storable_params
from bot.store.pg_schema import migrate

log = logging.getLogger(__name__)
CHANNEL = "supportbot_knowledge"  # NOTIFY channel: the knowledge changed (payload: the new version)
ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


def describe(url: str) -> str:
    """host:port/database, never the user or password."""
    parts = urlsplit(url)
    return f"postgresql://{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def status_count(status: str) -> int:
    """The row count of a command status such as ``UPDATE 3``."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class PgConnection:
    """A pool of connections to one PostgreSQL database, opened and migrated together."""

    def __init__(self, url: str, timeout: float = 5.0, pool_size: int = 10) -> None:
        self.url = url
        self.where = describe(url)
        self.timeout = timeout
        self.pool_size = pool_size
        self._pool: Any = None
        self._listener: Any = None
        self._listen_callback: Callable[[], None] | None = None

    async def open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self.pool_size, timeout=self.timeout, command_timeout=30
            )
            async with self._pool.acquire() as con:
                await migrate(con, self.where)
        except ERRORS as exc:
            await self.close()
            raise StoreError(self._explain(exc)) from exc
        except BaseException:
            await self.close()
            raise

    def _explain(self, exc: BaseException) -> str:
        return f"database {self.where}: {type(exc).__name__}: {exc}"

    async def close(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            await asyncio.shield(listener.close(timeout=2))
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.shield(pool.close())

    @property
    def pool(self) -> Any:
        if self._pool is None:
            raise StoreError("the store is not open")
        return self._pool

    async def _run(self, sql: str, *params: Any) -> list[Any]:
        """One read."""
        try:
            return list(await self.pool.fetch(sql, *storable_params(params)))
        except ERRORS as exc:
            raise StoreError(self._explain(exc)) from exc

    async def _write(self, sql: str, *params: Any) -> Any:
        """One statement committed on its own; returns its first value (RETURNING), if any."""
        try:
            return await self.pool.fetchval(sql, *storable_params(params))
        except ERRORS as exc:
            raise StoreError(self._explain(exc)) from exc

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        try:
            async with self.pool.acquire() as con, con.transaction():
                yield con
        except ERRORS as exc:
            raise StoreError(self._explain(exc)) from exc

    @asynccontextmanager
    async def _knowledge_transaction(self) -> AsyncIterator[Any]:
        """A transaction that changes the knowledge: it bumps the version and notifies every
        listening process, both committed with the change (or not at all)."""
        async with self._transaction() as con:
            yield con
            version = await con.fetchval("UPDATE knowledge SET version = version + 1 WHERE id = 1 RETURNING version")
            await con.execute("SELECT pg_notify($1, $2)", CHANNEL, str(version))

    async def knowledge_version(self) -> int:
        if self._listen_callback is not None and (self._listener is None or self._listener.is_closed()):
            await self._listen()  # the listening connection was lost (a database restart): again
        rows = await self._run("SELECT version FROM knowledge WHERE id = 1")
        return int(rows[0][0]) if rows else 0

    async def listen_knowledge(self, callback: Callable[[], None]) -> bool:
        self._listen_callback = callback
        await self._listen()
        return True

    async def _listen(self) -> None:
        callback = self._listen_callback
        if callback is None:
            return
        try:
            con = await asyncpg.connect(self.url, timeout=self.timeout)
            await con.add_listener(CHANNEL, lambda *_: callback())
        except ERRORS as exc:
            log.warning("cannot listen for knowledge changes on %s (polling meanwhile): %s", self.where, exc)
            return
        self._listener = con
        callback()  # changes made while nobody listened are picked up by one check
