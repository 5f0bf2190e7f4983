"""The review queue's SQL for :class:`bot.store.sqlite.SQLiteStore` (tables from the review
migration: ``review_items``, ``review_records``, ``review_events``).

Items are groups of records; a viewer's scope filters the records, so counts, dates and
examples are always those of the viewer's own server or workspace.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.models import NotFound, ReviewExample, ReviewItem, ReviewScope
from bot.store.base import ReviewRecord
from bot.store.connection import SQLiteConnection, storable_params

REVIEW_TEXT_LIMIT = 2000
OPEN = "open"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _where(scope: ReviewScope, alias: str = "r") -> tuple[str, tuple[str, ...]]:
    if scope.all:
        return "", ()
    return f" AND {alias}.platform = ? AND {alias}.scope = ?", (scope.platform or "", scope.scope or "")


class ReviewTables(SQLiteConnection):
    """The review-queue methods of the SQLite store (reads on the reader, writes in the writer's
    transactions)."""

    async def find_review_item(self, key: str) -> int | None:
        rows = await self._run(
            "SELECT id FROM review_items WHERE key = ? AND status = 'open' ORDER BY id DESC LIMIT 1", (key,)
        )
        return int(rows[0][0]) if rows else None

    async def review_texts(self, limit: int, per_item: int = 3) -> list[tuple[int, tuple[str, ...]]]:
        # One query: the newest open question items, and the newest few texts of each.
        rows = await self._run(
            "WITH recent AS (SELECT i.id FROM review_items i JOIN review_records r ON r.item_id = i.id "
            "WHERE i.key = 'question' AND i.status = 'open' GROUP BY i.id ORDER BY MAX(r.id) DESC LIMIT ?) "
            "SELECT item_id, text FROM (SELECT r.item_id, r.text, ROW_NUMBER() OVER "
            "(PARTITION BY r.item_id ORDER BY r.id DESC) AS n FROM review_records r JOIN recent ON recent.id = r.item_id "
            "WHERE r.text != '') WHERE n <= ? ORDER BY item_id DESC, n",
            (limit, per_item),
        )
        out: dict[int, list[str]] = {}
        for item_id, text in rows:
            out.setdefault(int(item_id), []).append(str(text))
        return [(item_id, tuple(texts)) for item_id, texts in out.items()]

    async def add_review(
        self, record: ReviewRecord, item_id: int | None, key: str, codes: Sequence[tuple[str, int]]
    ) -> int:
        at = _now()
        async with self._transaction() as db:
            if item_id is None:
                cur = await db.execute(
                    "INSERT INTO review_items (key, codes, status, created_at) VALUES (?,?,'open',?)",
                    storable_params((key, json.dumps([list(c) for c in codes]), at)),
                )
                item_id = int(cur.lastrowid or 0)
            # One actor counts once per query and kind (a second "Not helpful" click adds nothing).
            await db.execute(
                "INSERT OR IGNORE INTO review_records (item_id, kind, query_id, actor, platform, scope, channel, "
                "text, outcome, top_id, at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                storable_params(
                    (
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
                ),
            )
        return item_id

    async def review_items(
        self, scope: ReviewScope, limit: int = 50, item_id: int | None = None, examples: int = 3
    ) -> list[ReviewItem]:
        where, params = _where(scope)
        one = " AND i.id = ?" if item_id is not None else " AND i.status = 'open'"
        rows = await self._run(
            "SELECT i.id, i.key, i.codes, i.status, COUNT(r.id), MIN(r.at), MAX(r.at), "
            "GROUP_CONCAT(DISTINCT r.kind), GROUP_CONCAT(DISTINCT r.platform) "
            f"FROM review_items i JOIN review_records r ON r.item_id = i.id WHERE 1{one}{where} "
            "GROUP BY i.id ORDER BY COUNT(r.id) DESC, MAX(r.at) DESC, i.id LIMIT ?",
            (*([item_id] if item_id is not None else []), *params, limit),
        )
        return [await self._item(row, scope, examples) for row in rows]

    async def _item(self, row: sqlite3.Row, scope: ReviewScope, examples: int) -> ReviewItem:
        where, params = _where(scope)
        item_id = int(row[0])
        # Examples with their text first (purged ones have none), newest first.
        found = await self._run(
            "SELECT kind, text, platform, scope, channel, at, outcome, top_id, actor FROM review_records r "
            f"WHERE item_id = ?{where} ORDER BY text = '', id DESC LIMIT ?",
            (item_id, *params, examples),
        )
        top = await self._run(
            f"SELECT top_id FROM review_records r WHERE item_id = ? AND top_id IS NOT NULL{where} "
            "GROUP BY top_id ORDER BY COUNT(*) DESC, MAX(id) DESC LIMIT 1",
            (item_id, *params),
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
        at = _now()
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE review_items SET status = ?, closed_at = ?, closed_by = ? WHERE id = ? AND status = 'open'",
                (status, at, actor, item_id),
            )
            if cur.rowcount != 1:
                raise NotFound(f"no open review item {item_id}")
            await db.execute(
                "INSERT INTO review_events (item_id, action, actor, detail, at) VALUES (?,?,?,?,?)",
                (item_id, status, actor, detail[:1000], at),
            )
