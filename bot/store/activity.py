"""Queries, feedback, gaps and channel settings: single-row writes, each committed under the
writer lock (so none of them can ever commit part of an import running at the same time)."""

from __future__ import annotations

import json

from bot.models import ChannelSettings, Gap, NotFound
from bot.store.base import QueryRecord
from bot.store.connection import SQLiteConnection, now
from bot.store.rows import safe_text

QUERY_TEXT_LIMIT = 4000


class SQLiteActivity(SQLiteConnection):
    """What the bot records as it answers: the query log, feedback, gaps, channel settings."""

    async def log_query(self, record: QueryRecord) -> int:
        return await self._write(
            "INSERT INTO queries (at, platform, scope, channel, author, mode, text, outcome, top_id, confidence, matches) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
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
            ),
        )

    async def get_query(self, query_id: int) -> QueryRecord | None:
        rows = await self._run(
            "SELECT platform, scope, channel, author, mode, text, outcome, top_id, confidence, matches "
            "FROM queries WHERE id = ?",
            (query_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return QueryRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], tuple(json.loads(r[9])))

    async def add_feedback(self, query_id: int, actor: str, helpful: bool) -> None:
        if not await self._run("SELECT 1 FROM queries WHERE id = ?", (query_id,)):
            raise NotFound(f"no query {query_id}")
        await self._write(
            "INSERT INTO feedback (query_id, actor, helpful, at) VALUES (?,?,?,?) "
            "ON CONFLICT(query_id, actor) DO UPDATE SET helpful=excluded.helpful, at=excluded.at",
            (query_id, safe_text(actor), int(helpful), now()),
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
            "INSERT INTO gaps (domain, code, text, query_id, at, platform, scope) VALUES (?,?,?,?,?,?,?)",
            (
                None if domain is None else safe_text(domain),
                code,
                safe_text(text[:500]),
                query_id,
                now(),
                safe_text(platform),
                safe_text(scope),
            ),
        )

    async def list_gaps(self, limit: int = 20, platform: str | None = None, scope: str | None = None) -> list[Gap]:
        # A place filter keeps the texts (and counts) to gaps asked there.
        where: list[str] = []
        params: list[str] = []
        if platform is not None:
            where.append("platform = ?")
            params.append(platform)
        if scope is not None:
            where.append("scope = ?")
            params.append(scope)
        clause = ("WHERE " + " AND ".join(where) + " ") if where else ""
        rows = await self._run(
            f"SELECT domain, code, MAX(text), COUNT(*), MAX(at) FROM gaps {clause}GROUP BY domain, code "
            "ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT ?",
            (*params, limit),
        )
        return [Gap(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    async def get_channel(self, platform: str, scope: str, channel: str) -> ChannelSettings | None:
        rows = await self._run(
            "SELECT auto_reply, threshold FROM channels WHERE platform = ? AND scope = ? AND channel = ?",
            (platform, scope, channel),
        )
        return ChannelSettings(bool(rows[0][0]), rows[0][1]) if rows else None

    async def set_channel(self, platform: str, scope: str, channel: str, settings: ChannelSettings, actor: str) -> None:
        await self._write(
            "INSERT INTO channels (platform, scope, channel, auto_reply, threshold, updated_by, updated_at) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(platform, scope, channel) DO UPDATE SET "
            "auto_reply=excluded.auto_reply, threshold=excluded.threshold, "
            "updated_by=excluded.updated_by, updated_at=excluded.updated_at",
            (
                safe_text(platform),
                safe_text(scope),
                safe_text(channel),
                int(settings.auto_reply),
                settings.threshold,
                safe_text(actor),
                now(),
            ),
        )

    async def _count(self, sql: str) -> int:
        rows = await self._run(sql)
        return int(rows[0][0] or 0) if rows else 0
