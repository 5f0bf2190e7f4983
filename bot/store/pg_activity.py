"""Queries, feedback, gaps, channel settings, the auto-reply ledger and the dashboard's rows on
PostgreSQL: the same behaviour as :mod:`bot.store.activity`, :mod:`bot.store.sqlite_replies`
and :mod:`bot.store.sqlite_web`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.models import ChannelSettings, Gap, NotFound
from bot.store.activity import QUERY_TEXT_LIMIT
from bot.store.base import DailyCount, QueryRecord
from bot.store.connection import now
from bot.store.pg_connection import PgConnection, status_count
from bot.store.rows import safe_text


class _Refused(Exception):
    """Rolls a claim back when the channel is cooling."""


class PgActivity(PgConnection):
    """What the bot records as it answers."""

    async def log_query(self, record: QueryRecord) -> int:
        return int(
            await self._write(
                "INSERT INTO queries (at, platform, scope, channel, author, mode, text, outcome, top_id, confidence, "
                "matches) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
                now(),
                safe_text(record.platform),
                safe_text(record.scope),
                safe_text(record.channel),
                safe_text(record.author),
                record.mode,
                safe_text(record.text[:QUERY_TEXT_LIMIT]),
                record.outcome,
                record.top_id,
                record.confidence,
                json.dumps(list(record.match_ids)),
            )
        )

    async def get_query(self, query_id: int) -> QueryRecord | None:
        rows = await self._run(
            "SELECT platform, scope, channel, author, mode, text, outcome, top_id, confidence, matches "
            "FROM queries WHERE id = $1",
            query_id,
        )
        if not rows:
            return None
        r = rows[0]
        return QueryRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], tuple(json.loads(r[9])))

    async def add_feedback(self, query_id: int, actor: str, helpful: bool) -> None:
        if not await self._run("SELECT 1 FROM queries WHERE id = $1", query_id):
            raise NotFound(f"no query {query_id}")
        await self._write(
            "INSERT INTO feedback (query_id, actor, helpful, at) VALUES ($1,$2,$3,$4) "
            "ON CONFLICT (query_id, actor) DO UPDATE SET helpful=excluded.helpful, at=excluded.at",
            query_id,
            safe_text(actor),
            int(helpful),
            now(),
        )

    async def add_gap(
        self,
        domain: str | None,
        code: int | None,
        text: str,
        query_id: int | None,
        platform: str = "",
        scope: str = "",
    ) -> None:
        await self._write(
            "INSERT INTO gaps (domain, code, text, query_id, at, platform, scope) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            None if domain is None else safe_text(domain),
            code,
            safe_text(text[:500]),
            query_id,
            now(),
            safe_text(platform),
            safe_text(scope),
        )

    async def list_gaps(self, limit: int = 20, platform: str | None = None, scope: str | None = None) -> list[Gap]:
        # A place filter keeps the texts (and counts) to gaps asked there.
        where: list[str] = []
        params: list[object] = []
        for column, value in (("platform", platform), ("scope", scope)):
            if value is not None:
                params.append(value)
                where.append(f"{column} = ${len(params)}")
        clause = ("WHERE " + " AND ".join(where) + " ") if where else ""
        params.append(limit)
        rows = await self._run(
            f"SELECT domain, code, MAX(text), COUNT(*), MAX(at) FROM gaps {clause}GROUP BY domain, code "
            f"ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT ${len(params)}",
            *params,
        )
        return [Gap(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    async def get_channel(self, platform: str, scope: str, channel: str) -> ChannelSettings | None:
        rows = await self._run(
            "SELECT auto_reply, threshold FROM channels WHERE platform = $1 AND scope = $2 AND channel = $3",
            platform,
            scope,
            channel,
        )
        return ChannelSettings(bool(rows[0][0]), rows[0][1]) if rows else None

    async def set_channel(self, platform: str, scope: str, channel: str, settings: ChannelSettings, actor: str) -> None:
        await self._write(
            "INSERT INTO channels (platform, scope, channel, auto_reply, threshold, updated_by, updated_at) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (platform, scope, channel) DO UPDATE SET "
            "auto_reply=excluded.auto_reply, threshold=excluded.threshold, "
            "updated_by=excluded.updated_by, updated_at=excluded.updated_at",
            safe_text(platform),
            safe_text(scope),
            safe_text(channel),
            int(settings.auto_reply),
            settings.threshold,
            safe_text(actor),
            now(),
        )

    async def _count(self, sql: str) -> int:
        rows = await self._run(sql)
        return int(rows[0][0] or 0) if rows else 0

    # ------------------------------------------------------------ the auto-reply ledger

    async def thread_answered(self, platform: str, channel: str, thread: str) -> bool:
        rows = await self._run(
            "SELECT 1 FROM reply_threads WHERE platform = $1 AND channel = $2 AND thread = $3",
            platform,
            channel,
            thread,
        )
        return bool(rows)

    async def last_reply(self, platform: str, channel: str) -> float | None:
        rows = await self._run(
            "SELECT last FROM reply_cooldowns WHERE platform = $1 AND channel = $2", platform, channel
        )
        return float(rows[0][0]) if rows else None

    async def mark_answered(self, platform: str, channel: str, thread: str, at: float) -> None:
        await self._write(
            "INSERT INTO reply_threads (platform, channel, thread, at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
            platform,
            channel,
            thread,
            at,
        )

    async def claim_reply(self, platform: str, channel: str, thread: str, at: float, cooldown: float) -> bool:
        try:
            async with self._transaction() as con:
                # The primary key lets one transaction insert the thread; a concurrent one waits
                # for it to commit and then inserts nothing.
                if (
                    await con.fetchval(
                        "INSERT INTO reply_threads (platform, channel, thread, at) VALUES ($1,$2,$3,$4) "
                        "ON CONFLICT DO NOTHING RETURNING 1",
                        platform,
                        channel,
                        thread,
                        at,
                    )
                    is None
                ):
                    return False
                # The cooldown moves only when the last reply is old enough, re-checked on the
                # newest row version if another process updated it meanwhile. Without a cooldown
                # nothing is refused and the last reply never moves back: claims commit in lock
                # order, not in the order of their stamps (another process's clock may run ahead).
                if (
                    await con.fetchval(
                        "INSERT INTO reply_cooldowns (platform, channel, last) VALUES ($1,$2,$3) "
                        "ON CONFLICT (platform, channel) DO UPDATE "
                        "SET last = GREATEST(reply_cooldowns.last, excluded.last) "
                        "WHERE $4 <= 0 OR reply_cooldowns.last <= excluded.last - $4 RETURNING 1",
                        platform,
                        channel,
                        at,
                        cooldown,
                    )
                    is None
                ):
                    raise _Refused  # undo the thread's row: it was not answered
        except _Refused:
            return False
        return True

    async def forget_replies(self, before: float) -> int:
        async with self._transaction() as con:
            status = await con.execute("DELETE FROM reply_threads WHERE at < $1", before)
            await con.execute("DELETE FROM reply_cooldowns WHERE last < $1", before)
            return status_count(status)

    # ------------------------------------------------------------ the web dashboard

    async def daily_counts(self, days: int) -> list[DailyCount]:
        since = (datetime.now(UTC) - timedelta(days=max(1, days) - 1)).date().isoformat()
        rows = await self._run(
            "SELECT substr(q.at, 1, 10) AS day, q.platform, COUNT(*), "
            "COUNT(*) FILTER (WHERE q.outcome = 'answer'), COUNT(*) FILTER (WHERE q.mode = 'auto'), "
            "COALESCE(SUM(f.up), 0), COALESCE(SUM(f.down), 0) "
            "FROM queries q LEFT JOIN (SELECT query_id, COUNT(*) FILTER (WHERE helpful = 1) AS up, "
            "COUNT(*) FILTER (WHERE helpful = 0) AS down FROM feedback GROUP BY query_id) f ON f.query_id = q.id "
            'WHERE q.at >= $1 GROUP BY day, q.platform ORDER BY day, q.platform COLLATE "C"',
            since,
        )
        return [DailyCount(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6])) for r in rows]

    async def add_web_token(self, digest: str, actor: str, expires_at: str) -> None:
        async with self._transaction() as con:
            await con.execute("DELETE FROM web_tokens WHERE expires_at < $1", now())
            await con.execute(
                "INSERT INTO web_tokens (digest, actor, expires_at) VALUES ($1, $2, $3)", digest, actor, expires_at
            )

    async def take_web_token(self, digest: str, at: str, consume: bool = True) -> str | None:
        if not consume:
            rows = await self._run(
                "SELECT actor FROM web_tokens WHERE digest = $1 AND used_at IS NULL AND expires_at > $2", digest, at
            )
            return str(rows[0][0]) if rows else None
        actor = await self._write(
            "UPDATE web_tokens SET used_at = $1 WHERE digest = $2 AND used_at IS NULL AND expires_at > $1 RETURNING actor",
            at,
            digest,
        )
        return None if actor is None else str(actor)
