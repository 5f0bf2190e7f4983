"""``kb migrate``: copy every table of one store into another, empty one, and prove the counts.

Rows are copied as they are (ids, revision numbers, times), so entries keep their full history,
feedback stays attached to its queries and review records to their items. The target must be
empty, so a copy never mixes two databases' rows.
"""

from __future__ import annotations

from typing import Any

from bot.models import SupportBotError
from bot.store.base import Store
from bot.store.pg import PostgresStore
from bot.store.sqlite import SQLiteStore

# In an order that keeps every reference valid (queries before feedback, items before records).
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("meta", ("key", "value")),
    ("entries", ("id", "kind", "data", "rev", "updated_at")),
    ("revisions", ("entry_id", "rev", "data", "actor", "at", "reason", "op")),
    ("imported", ("entry_id", "data", "at")),
    ("conflicts", ("entry_id", "file_data", "chat_rev", "at")),
    ("queries", ("id", "at", "platform", "scope", "channel", "author", "mode", "text", "outcome", "top_id",
                 "confidence", "matches")),
    ("feedback", ("id", "query_id", "actor", "helpful", "at")),
    ("gaps", ("id", "domain", "code", "text", "query_id", "at", "platform", "scope")),
    ("channels", ("platform", "scope", "channel", "auto_reply", "threshold", "updated_by", "updated_at")),
    ("review_items", ("id", "key", "codes", "status", "created_at", "closed_at", "closed_by")),
    ("review_records", ("id", "item_id", "kind", "query_id", "actor", "platform", "scope", "channel", "text",
                        "outcome", "top_id", "at")),
    ("review_events", ("id", "item_id", "action", "actor", "detail", "at")),
    ("web_tokens", ("digest", "actor", "expires_at", "used_at")),
    ("reply_threads", ("platform", "channel", "thread", "at")),
    ("reply_cooldowns", ("platform", "channel", "last")),
)  # fmt: skip
IDENTITY = ("queries", "feedback", "gaps", "review_items", "review_records", "review_events")
BATCH = 1000


async def _rows(store: Store, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    sql = f"SELECT {', '.join(columns)} FROM {table}"
    if isinstance(store, SQLiteStore):
        return [tuple(r) for r in await store._run(sql)]
    if isinstance(store, PostgresStore):
        return [tuple(r) for r in await store._run(sql)]
    raise SupportBotError(f"cannot copy from {type(store).__name__}")


async def _count(store: Store, table: str) -> int:
    rows = await store._run(f"SELECT COUNT(*) FROM {table}") if isinstance(store, SQLiteStore | PostgresStore) else []
    return int(rows[0][0]) if rows else 0


async def _write_sqlite(store: SQLiteStore, data: dict[str, list[tuple[Any, ...]]]) -> None:
    async with store._transaction() as db:
        for table, columns in TABLES:
            marks = ",".join("?" * len(columns))
            await db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", data[table])


async def _write_pg(store: PostgresStore, data: dict[str, list[tuple[Any, ...]]]) -> None:
    async with store._knowledge_transaction() as con:
        for table, columns in TABLES:
            marks = ",".join(f"${i}" for i in range(1, len(columns) + 1))
            rows = data[table]
            for start in range(0, len(rows), BATCH):
                await con.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows[start : start + BATCH]
                )
        for table in IDENTITY:  # new rows continue after the copied ids
            await con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )


async def copy_store(source: Store, target: Store) -> dict[str, tuple[int, int]]:
    """Copy ``source`` into the empty ``target`` in one transaction; per table, (source, target)
    row counts afterwards. Raises SupportBotError when the target holds data or a count differs."""
    for table in ("entries", "revisions", "queries", "review_items"):
        if await _count(target, table):
            raise SupportBotError(f"the target database is not empty (its table '{table}' has rows); nothing copied")
    data = {table: await _rows(source, table, columns) for table, columns in TABLES}
    if isinstance(target, PostgresStore):
        await _write_pg(target, data)
    elif isinstance(target, SQLiteStore):
        await _write_sqlite(target, data)
    else:
        raise SupportBotError(f"cannot copy into {type(target).__name__}")
    counts = {table: (await _count(source, table), await _count(target, table)) for table, _ in TABLES}
    wrong = [f"{t} ({a} -> {b})" for t, (a, b) in counts.items() if a != b]
    if wrong:
        raise SupportBotError(f"counts differ after the copy: {', '.join(wrong)}")
    return counts
