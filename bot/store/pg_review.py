"""The review queue on PostgreSQL: the same behaviour as :mod:`bot.store.sqlite_review`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.models import NotFound, ReviewExample, ReviewItem, ReviewScope
from bot.store.base import ReviewRecord
from bot.store.connection import now
from bot.store.pg_connection import PgConnection, status_count
from bot.store.sqlite_review import REVIEW_TEXT_LIMIT


def _where(scope: ReviewScope, first: int) -> tuple[str, tuple[str, ...]]:
    """The scope filter with parameters numbered from ``first``."""
    if scope.all:
        return "", ()
    return f" AND r.platform = ${first} AND r.scope = ${first + 1}", (scope.platform or "", scope.scope or "")


class PgReview(PgConnection):
    """The review-queue methods of the PostgreSQL store."""

    async def find_review_item(self, key: str) -> int | None:
        rows = await self._run(
            "SELECT id FROM review_items WHERE key = $1 AND status = 'open' ORDER BY id DESC LIMIT 1", key
        )
        return int(rows[0][0]) if rows else None

    async def review_texts(self, limit: int, per_item: int = 3) -> list[tuple[int, tuple[str, ...]]]:
        rows = await self._run(
            "WITH recent AS (SELECT i.id FROM review_items i JOIN review_records r ON r.item_id = i.id "
            "WHERE i.key = 'question' AND i.status = 'open' GROUP BY i.id ORDER BY MAX(r.id) DESC LIMIT $1) "
            "SELECT item_id, text FROM (SELECT r.item_id, r.text, ROW_NUMBER() OVER "
            "(PARTITION BY r.item_id ORDER BY r.id DESC) AS n FROM review_records r JOIN recent ON recent.id = r.item_id "
            "WHERE r.text != '') t WHERE n <= $2 ORDER BY item_id DESC, n",
            limit,
            per_item,
        )
        out: dict[int, list[str]] = {}
        for item_id, text in rows:
            out.setdefault(int(item_id), []).append(str(text))
        return [(item_id, tuple(texts)) for item_id, texts in out.items()]

    async def add_review(
        self, record: ReviewRecord, item_id: int | None, key: str, codes: Sequence[tuple[str, int]]
    ) -> int:
        at = now()
        async with self._transaction() as con:
            if item_id is None:
                item_id = int(
                    await con.fetchval(
                        "INSERT INTO review_items (key, codes, status, created_at) VALUES ($1,$2,'open',$3) RETURNING id",
                        key,
                        json.dumps([list(c) for c in codes]),
                        at,
                    )
                )
            await con.execute(
                "INSERT INTO review_records (item_id, kind, query_id, actor, platform, scope, channel, "
                "text, outcome, top_id, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT DO NOTHING",
                item_id,
                record.kind,
                record.query_id,
                record.actor,
                record.platform,
                record.scope,
                record.channel,
                record.text[:REVIEW_TEXT_LIMIT],
                record.outcome,
                record.top_id,
                at,
            )
        return item_id

    async def review_items(
        self, scope: ReviewScope, limit: int = 50, item_id: int | None = None, examples: int = 3
    ) -> list[ReviewItem]:
        head: list[Any] = [item_id] if item_id is not None else []
        one = " AND i.id = $1" if item_id is not None else " AND i.status = 'open'"
        where, params = _where(scope, len(head) + 1)
        rows = await self._run(
            "SELECT i.id, i.key, i.codes, i.status, COUNT(r.id), MIN(r.at), MAX(r.at), "
            "string_agg(DISTINCT r.kind, ','), string_agg(DISTINCT r.platform, ',') "
            f"FROM review_items i JOIN review_records r ON r.item_id = i.id WHERE TRUE{one}{where} "
            f"GROUP BY i.id ORDER BY COUNT(r.id) DESC, MAX(r.at) DESC, i.id LIMIT ${len(head) + len(params) + 1}",
            *head,
            *params,
            limit,
        )
        return [await self._item(row, scope, examples) for row in rows]

    async def _item(self, row: Any, scope: ReviewScope, examples: int) -> ReviewItem:
        where, params = _where(scope, 2)
        item_id = int(row[0])
        found = await self._run(
            "SELECT kind, text, platform, scope, channel, at, outcome, top_id, actor FROM review_records r "
            f"WHERE item_id = $1{where} ORDER BY text = '', id DESC LIMIT ${len(params) + 2}",
            item_id,
            *params,
            examples,
        )
        top = await self._run(
            f"SELECT top_id FROM review_records r WHERE item_id = $1 AND top_id IS NOT NULL{where} "
            "GROUP BY top_id ORDER BY COUNT(*) DESC, MAX(id) DESC LIMIT 1",
            item_id,
            *params,
        )
        return ReviewItem(
            id=item_id,
            key=str(row[1]),
            title="",
            count=int(row[4]),
            first_seen=str(row[5]),
            last_seen=str(row[6]),
            examples=tuple(ReviewExample(*e) for e in found),
            kinds=tuple(sorted(str(row[7]).split(","))),
            platforms=tuple(sorted(str(row[8]).split(","))),
            top_entry=str(top[0][0]) if top else None,
            status=str(row[3]),
            codes=tuple((str(d), int(c)) for d, c in json.loads(row[2])),
        )

    async def close_review_item(self, item_id: int, status: str, actor: str, detail: str) -> None:
        at = now()
        async with self._transaction() as con:
            done = await con.execute(
                "UPDATE review_items SET status = $1, closed_at = $2, closed_by = $3 WHERE id = $4 AND status = 'open'",
                status,
                at,
                actor,
                item_id,
            )
            if status_count(done) != 1:
                raise NotFound(f"no open review item {item_id}")
            await con.execute(
                "INSERT INTO review_events (item_id, action, actor, detail, at) VALUES ($1,$2,$3,$4,$5)",
                item_id,
                status,
                actor,
                detail[:1000],
                at,
            )
