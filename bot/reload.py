"""Knowledge updates without a restart: a running bot notices that another process (``supportbot
kb import``, a second replica's ``/kb`` edit) changed the knowledge in the shared database and
rebuilds its index.

Every knowledge write adds a revision in the same transaction, so the store's
``knowledge_version()`` (the newest revision's number) changes exactly when the entries do;
polling it is one indexed query every ``interval`` seconds. The bot's own writes change it too,
which costs one extra rebuild, never a missed one. On PostgreSQL each knowledge write also sends
a NOTIFY in its transaction: the watcher wakes at once (well within a second) and the periodic
check stays as the fallback for a lost notification or listening connection.
"""

from __future__ import annotations

import asyncio
import logging

from bot.engine import Engine
from bot.lifecycle import Sleep
from bot.store.base import Store

log = logging.getLogger(__name__)


class KnowledgeWatcher:
    """Polls the store's knowledge version and rebuilds ``engine`` when it changed."""

    def __init__(self, store: Store, engine: Engine, interval: float = 1.5, sleep: Sleep = asyncio.sleep) -> None:
        self.store = store
        self.engine = engine
        self.interval = interval
        self.sleep = sleep
        self.version: int | None = None
        self.reloads = 0
        self._wake = asyncio.Event()

    async def listen(self) -> bool:
        """Ask the store to wake the watcher on every knowledge change; False when it cannot."""
        try:
            return await self.store.listen_knowledge(self._wake.set)
        except Exception:
            log.warning("cannot listen for knowledge changes; polling every %gs", self.interval, exc_info=True)
            return False

    async def check(self) -> bool:
        """Rebuild when the version moved since the last check; True when it did."""
        current = await self.store.knowledge_version()
        if self.version is None:
            self.version = current  # the engine was built at start-up
            return False
        if current == self.version:
            return False
        await self.engine.rebuild()
        log.info("knowledge changed in the database (version %d -> %d): index rebuilt", self.version, current)
        self.version = current
        self.reloads += 1
        return True

    async def run(self) -> None:
        """Check every ``interval`` seconds until cancelled; a failed check is logged and retried."""
        while True:
            self._wake.clear()
            try:
                await self.check()
            except Exception:
                # A locked or briefly unavailable database must not stop the bot answering.
                log.warning("could not check the knowledge version; will retry", exc_info=True)
            sleeping = asyncio.ensure_future(self.sleep(self.interval))
            woken = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeping.cancel()
                woken.cancel()
