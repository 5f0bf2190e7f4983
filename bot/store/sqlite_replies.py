"""The auto-reply ledger's SQL for :class:`bot.store.sqlite.SQLiteStore` (schema migration 6).

A claim is one ``BEGIN IMMEDIATE`` transaction, so processes sharing the file take turns and
exactly one of them wins a thread; the ledger is in the file, so a restart keeps cooldowns.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.store.connection import SQLiteConnection


class ReplyTables(SQLiteConnection):
    """Answered threads and per-channel cooldowns."""

    async def thread_answered(self, platform: str, channel: str, thread: str) -> bool:
        rows = await self._run(
            "SELECT 1 FROM reply_threads WHERE platform = ? AND channel = ? AND thread = ?", (platform, channel, thread)
        )
        return bool(rows)

    async def last_reply(self, platform: str, channel: str) -> float | None:
        rows = await self._run(
            "SELECT last FROM reply_cooldowns WHERE platform = ? AND channel = ?", (platform, channel)
        )
        return float(rows[0][0]) if rows else None

    async def mark_answered(self, platform: str, channel: str, thread: str, at: float) -> None:
        await self._write(
            "INSERT INTO reply_threads (platform, channel, thread, at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
            (platform, channel, thread, at),
        )

    async def claim_reply(self, platform: str, channel: str, thread: str, at: float, cooldown: float) -> bool:
        async with self._transaction() as db:
            # Both checks inside the write transaction: no other process can claim in between.
            taken = await db.execute_fetchall(
                "SELECT 1 FROM reply_threads WHERE platform = ? AND channel = ? AND thread = ?",
                (platform, channel, thread),
            )
            # No cooldown: never cooling, even when the last claim was stamped after ``at`` (claims
            # commit in lock order, not stamp order; another process's clock may run ahead).
            cooling = cooldown > 0 and await db.execute_fetchall(
                "SELECT 1 FROM reply_cooldowns WHERE platform = ? AND channel = ? AND last > ?",
                (platform, channel, at - cooldown),
            )
            if taken or cooling:
                return False
            await db.execute(
                "INSERT INTO reply_threads (platform, channel, thread, at) VALUES (?,?,?,?)",
                (platform, channel, thread, at),
            )
            await db.execute(
                "INSERT INTO reply_cooldowns (platform, channel, last) VALUES (?,?,?) "
                "ON CONFLICT(platform, channel) DO UPDATE SET last = MAX(last, excluded.last)",
                (platform, channel, at),
            )
        return True

    async def forget_replies(self, before: float) -> int:
        async with self._transaction() as db:
            cur = await db.execute("DELETE FROM reply_threads WHERE at < ?", (before,))
            await db.execute("DELETE FROM reply_cooldowns WHERE last < ?", (before,))
            return int(cur.rowcount)

    async def listen_knowledge(self, callback: Callable[[], None]) -> bool:
        return False  # SQLite cannot notify: the reload watcher polls knowledge_version()
