"""The web dashboard's SQL for :class:`bot.store.sqlite.SQLiteStore`: per-day counts (read-only)
and one-time sign-in tokens (``web_tokens``, schema migration 5), written under the writer lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.base import DailyCount
from bot.store.connection import SQLiteConnection, now


class WebTables(SQLiteConnection):
    """The dashboard methods of the SQLite store."""

    async def daily_counts(self, days: int) -> list[DailyCount]:
        since = (datetime.now(UTC) - timedelta(days=max(1, days) - 1)).date().isoformat()
        rows = await self._run(
            "SELECT substr(q.at, 1, 10) AS day, q.platform, COUNT(*), "
            "SUM(q.outcome = 'answer'), SUM(q.mode = 'auto'), "
            "COALESCE(SUM(f.up), 0), COALESCE(SUM(f.down), 0) "
            "FROM queries q LEFT JOIN (SELECT query_id, SUM(helpful = 1) AS up, SUM(helpful = 0) AS down "
            "FROM feedback GROUP BY query_id) f ON f.query_id = q.id "
            "WHERE q.at >= ? GROUP BY day, q.platform ORDER BY day, q.platform",
            (since,),
        )
        return [DailyCount(r[0], r[1], int(r[2]), int(r[3] or 0), int(r[4] or 0), int(r[5]), int(r[6])) for r in rows]

    async def add_web_token(self, digest: str, actor: str, expires_at: str) -> None:
        async with self._transaction() as db:
            # Expired tokens are swept on each issue, so the table stays small.
            await db.execute("DELETE FROM web_tokens WHERE expires_at < ?", (now(),))
            await db.execute(
                "INSERT INTO web_tokens (digest, actor, expires_at) VALUES (?, ?, ?)", (digest, actor, expires_at)
            )

    async def take_web_token(self, digest: str, at: str, consume: bool = True) -> str | None:
        if not consume:
            rows = await self._run(
                "SELECT actor FROM web_tokens WHERE digest = ? AND used_at IS NULL AND expires_at > ?", (digest, at)
            )
            return str(rows[0][0]) if rows else None
        # Checked and used in one statement, so two requests with one link cannot both sign in.
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE web_tokens SET used_at = ? WHERE digest = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING actor",
                (at, digest, at),
            )
            row = await cur.fetchone()
        return str(row[0]) if row else None
