"""The SQLite store (aiosqlite): WAL mode, versioned schema, one transaction per change.

aiosqlite runs the connection on its own thread, so queries never block the event loop, and
one connection means one writer.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.models import ChannelSettings, Entry, Gap, NotFound, Revision, Stats
from bot.serialize import entry_from_dict, entry_to_dict
from bot.store.base import Progress, QueryRecord, StoreError
from bot.text import storable

# Each item upgrades the schema by one version; never edit a released step, add a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE entries (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL,
        rev INTEGER NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE revisions (
        entry_id TEXT NOT NULL, rev INTEGER NOT NULL, data TEXT, actor TEXT NOT NULL,
        at TEXT NOT NULL, reason TEXT NOT NULL, op TEXT NOT NULL,
        PRIMARY KEY (entry_id, rev)
    );
    CREATE TABLE queries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, platform TEXT NOT NULL,
        scope TEXT NOT NULL, channel TEXT NOT NULL, author TEXT NOT NULL, mode TEXT NOT NULL,
        text TEXT NOT NULL, outcome TEXT NOT NULL, top_id TEXT, confidence REAL, matches TEXT NOT NULL
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT, query_id INTEGER NOT NULL REFERENCES queries(id),
        actor TEXT NOT NULL, helpful INTEGER NOT NULL, at TEXT NOT NULL,
        UNIQUE (query_id, actor)
    );
    CREATE TABLE gaps (
        id INTEGER PRIMARY KEY AUTOINCREMENT, domain TEXT, code INTEGER, text TEXT NOT NULL,
        query_id INTEGER, at TEXT NOT NULL
    );
    CREATE INDEX gaps_key ON gaps (domain, code);
    CREATE TABLE channels (
        platform TEXT NOT NULL, scope TEXT NOT NULL, channel TEXT NOT NULL,
        auto_reply INTEGER NOT NULL, threshold REAL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (platform, scope, channel)
    );
    """,
    # 2: settings per guild / workspace (JSON), e.g. admin roles chosen in chat.
    """
    CREATE TABLE scopes (
        platform TEXT NOT NULL, scope TEXT NOT NULL, data TEXT NOT NULL,
        updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (platform, scope)
    );
    """,
)
QUERY_TEXT_LIMIT = 4000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _bind(params: Sequence[Any]) -> tuple[Any, ...]:
    """Parameters SQLite can bind: text with lone surrogates (which UTF-8 cannot encode, so
    binding raised UnicodeEncodeError) gets U+FFFD in their place, on every write and read."""
    return tuple(storable(p) if isinstance(p, str) else p for p in params)


class SQLiteStore:
    """:class:`bot.store.base.Store` on one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        if not (math.isfinite(timeout) and timeout > 0):
            # inf made "PRAGMA busy_timeout" overflow and sqlite3.connect wait for ever.
            raise StoreError(f"database {path}: busy timeout must be a positive number of seconds, not {timeout}")
        self.path = str(path)
        self.timeout = timeout
        self._db: aiosqlite.Connection | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("the store is not open")
        return self._db

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = await aiosqlite.connect(self.path, timeout=self.timeout)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            await self._migrate()
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise StoreError(self._explain(exc)) from exc
        except StoreError:
            await self.close()
            raise

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return f"database {self.path} is locked by another process (waited {self.timeout:g}s): {text}"
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return (
                f"database {self.path} is corrupt or not a SQLite file ({text}); move it aside and restart to re-import"
            )
        return f"database {self.path}: {text}"

    async def _migrate(self) -> None:
        async with self.db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"database {self.path} has schema version {version}, newer than this program knows "
                f"({len(MIGRATIONS)}); upgrade supportbot"
            )
        for number in range(version, len(MIGRATIONS)):
            await self.db.executescript(
                "BEGIN;\n" + MIGRATIONS[number] + f"\nPRAGMA user_version={number + 1};\nCOMMIT;"
            )

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            async with self.db.execute(sql, _bind(params)) as cur:
                return list(await cur.fetchall())
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from exc

    # ------------------------------------------------------------ entries and revisions

    async def list_entries(self) -> list[Entry]:
        rows = await self._run("SELECT data FROM entries ORDER BY id")
        return [entry_from_dict(json.loads(r[0])) for r in rows]

    async def get_entry(self, entry_id: str) -> Entry | None:
        rows = await self._run("SELECT data FROM entries WHERE id = ?", (entry_id,))
        return entry_from_dict(json.loads(rows[0][0])) if rows else None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: committed if the block succeeds, rolled back otherwise."""
        try:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                await self.db.commit()
            except BaseException:
                await self.db.rollback()
                raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from exc

    @staticmethod
    async def _next_rev(db: aiosqlite.Connection, entry_id: str) -> int:
        async with db.execute(
            "SELECT COALESCE(MAX(rev), 0) FROM revisions WHERE entry_id = ?", _bind((entry_id,))
        ) as cur:
            last = await cur.fetchone()
        return int(last[0]) + 1 if last else 1

    async def put_entries(
        self,
        entries: Sequence[Entry],
        actor: str,
        reason: str,
        op: str = "update",
        progress: Progress | None = None,
    ) -> list[Revision]:
        at = now()
        revisions: list[Revision] = []
        async with self._transaction() as db:
            for done, entry in enumerate(entries, 1):
                if progress is not None and (done % 100 == 0 or done == len(entries)):
                    progress(done, len(entries))
                data = storable(json.dumps(entry_to_dict(entry), sort_keys=True, ensure_ascii=False))
                async with db.execute("SELECT data FROM entries WHERE id = ?", _bind((entry.id,))) as cur:
                    row = await cur.fetchone()
                if row is not None and row[0] == data:
                    continue
                rev = await self._next_rev(db, entry.id)
                kind = op if row is not None else ("create" if op == "update" else op)
                await db.execute(
                    "INSERT INTO revisions (entry_id, rev, data, actor, at, reason, op) VALUES (?,?,?,?,?,?,?)",
                    _bind((entry.id, rev, data, actor, at, reason, kind)),
                )
                await db.execute(
                    "INSERT INTO entries (id, kind, data, rev, updated_at) VALUES (?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, data=excluded.data, "
                    "rev=excluded.rev, updated_at=excluded.updated_at",
                    _bind((entry.id, entry.kind, data, rev, at)),
                )
                revisions.append(Revision(entry.id, rev, entry, actor, at, reason, kind))
        return revisions

    async def delete_entry(self, entry_id: str, actor: str, reason: str) -> Revision:
        at = now()
        async with self._transaction() as db:
            async with db.execute("SELECT 1 FROM entries WHERE id = ?", _bind((entry_id,))) as cur:
                if await cur.fetchone() is None:
                    raise NotFound(f"no entry '{entry_id}'")
            rev = await self._next_rev(db, entry_id)
            await db.execute(
                "INSERT INTO revisions (entry_id, rev, data, actor, at, reason, op) VALUES (?,?,NULL,?,?,?,'delete')",
                _bind((entry_id, rev, actor, at, reason)),
            )
            await db.execute("DELETE FROM entries WHERE id = ?", _bind((entry_id,)))
        return Revision(entry_id, rev, None, actor, at, reason, "delete")

    @staticmethod
    def _revision(row: sqlite3.Row | tuple[Any, ...]) -> Revision:
        entry = entry_from_dict(json.loads(row[2])) if row[2] is not None else None
        return Revision(row[0], int(row[1]), entry, row[3], row[4], row[5], row[6])

    async def history(self, entry_id: str) -> list[Revision]:
        rows = await self._run(
            "SELECT entry_id, rev, data, actor, at, reason, op FROM revisions WHERE entry_id = ? ORDER BY rev",
            (entry_id,),
        )
        return [self._revision(r) for r in rows]

    async def get_revision(self, entry_id: str, rev: int) -> Revision:
        rows = await self._run(
            "SELECT entry_id, rev, data, actor, at, reason, op FROM revisions WHERE entry_id = ? AND rev = ?",
            (entry_id, rev),
        )
        if not rows:
            known = await self._run("SELECT MAX(rev) FROM revisions WHERE entry_id = ?", (entry_id,))
            latest = known[0][0] if known else None
            if latest is None:
                raise NotFound(f"no entry '{entry_id}' and no history for it")
            raise NotFound(f"entry '{entry_id}' has no revision {rev} (revisions are 1 to {latest})")
        return self._revision(rows[0])

    async def get_meta(self, key: str) -> str | None:
        rows = await self._run("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )
        await self.db.commit()

    # ------------------------------------------------------------ queries, feedback, gaps

    async def log_query(self, record: QueryRecord) -> int:
        try:
            cur = await self.db.execute(
                "INSERT INTO queries (at, platform, scope, channel, author, mode, text, outcome, top_id, confidence, matches) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                _bind(
                    (
                        now(),
                        record.platform,
                        record.scope,
                        record.channel,
                        record.author,
                        record.mode,
                        record.text[:QUERY_TEXT_LIMIT],
                        record.outcome,
                        record.top_id,
                        record.confidence,
                        json.dumps(list(record.match_ids)),
                    )
                ),
            )
            await self.db.commit()
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from exc
        return int(cur.lastrowid or 0)

    async def add_feedback(self, query_id: int, actor: str, helpful: bool) -> None:
        rows = await self._run("SELECT 1 FROM queries WHERE id = ?", (query_id,))
        if not rows:
            raise NotFound(f"no query {query_id}")
        await self._run(
            "INSERT INTO feedback (query_id, actor, helpful, at) VALUES (?,?,?,?) "
            "ON CONFLICT(query_id, actor) DO UPDATE SET helpful=excluded.helpful, at=excluded.at",
            (query_id, actor, int(helpful), now()),
        )
        await self.db.commit()

    async def add_gap(self, domain: str | None, code: int | None, text: str, query_id: int | None) -> None:
        await self._run(
            "INSERT INTO gaps (domain, code, text, query_id, at) VALUES (?,?,?,?,?)",
            (domain, code, text[:500], query_id, now()),
        )
        await self.db.commit()

    async def list_gaps(self, limit: int = 20) -> list[Gap]:
        rows = await self._run(
            "SELECT domain, code, MAX(text), COUNT(*), MAX(at) FROM gaps GROUP BY domain, code "
            "ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT ?",
            (limit,),
        )
        return [Gap(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    async def stats(self) -> Stats:
        async def one(sql: str) -> int:
            rows = await self._run(sql)
            return int(rows[0][0] or 0) if rows else 0

        top = await self._run(
            "SELECT top_id, COUNT(*) FROM queries WHERE top_id IS NOT NULL GROUP BY top_id ORDER BY COUNT(*) DESC LIMIT 5"
        )
        total = await one("SELECT COUNT(*) FROM entries")
        reference = await one('SELECT COUNT(*) FROM entries WHERE data LIKE \'%"catalog": "%\'')
        return Stats(
            entries=total,
            curated=total - reference,
            reference=reference,
            queries=await one("SELECT COUNT(*) FROM queries"),
            answered=await one("SELECT COUNT(*) FROM queries WHERE outcome = 'answer'"),
            feedback_helpful=await one("SELECT COUNT(*) FROM feedback WHERE helpful = 1"),
            feedback_unhelpful=await one("SELECT COUNT(*) FROM feedback WHERE helpful = 0"),
            gaps=await one("SELECT COUNT(*) FROM (SELECT 1 FROM gaps GROUP BY domain, code)"),
            top_entries=tuple((str(r[0]), int(r[1])) for r in top),
        )

    # ------------------------------------------------------------ channel settings

    async def get_channel(self, platform: str, scope: str, channel: str) -> ChannelSettings | None:
        rows = await self._run(
            "SELECT auto_reply, threshold FROM channels WHERE platform = ? AND scope = ? AND channel = ?",
            (platform, scope, channel),
        )
        return ChannelSettings(bool(rows[0][0]), rows[0][1]) if rows else None

    async def set_channel(self, platform: str, scope: str, channel: str, settings: ChannelSettings, actor: str) -> None:
        await self._run(
            "INSERT INTO channels (platform, scope, channel, auto_reply, threshold, updated_by, updated_at) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(platform, scope, channel) DO UPDATE SET "
            "auto_reply=excluded.auto_reply, threshold=excluded.threshold, "
            "updated_by=excluded.updated_by, updated_at=excluded.updated_at",
            (platform, scope, channel, int(settings.auto_reply), settings.threshold, actor, now()),
        )
        await self.db.commit()

    async def get_scope(self, platform: str, scope: str) -> dict[str, Any]:
        rows = await self._run("SELECT data FROM scopes WHERE platform = ? AND scope = ?", (platform, scope))
        return dict(json.loads(rows[0][0])) if rows else {}

    async def set_scope(self, platform: str, scope: str, data: dict[str, Any], actor: str) -> None:
        await self._run(
            "INSERT INTO scopes (platform, scope, data, updated_by, updated_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(platform, scope) DO UPDATE SET data=excluded.data, "
            "updated_by=excluded.updated_by, updated_at=excluded.updated_at",
            (platform, scope, json.dumps(data, sort_keys=True), actor, now()),
        )
        await self.db.commit()

    async def feedback_for(self, query_id: int) -> dict[str, bool]:
        rows = await self._run("SELECT actor, helpful FROM feedback WHERE query_id = ?", (query_id,))
        return {str(r[0]): bool(r[1]) for r in rows}

    async def list_channels(self, platform: str, scope: str) -> dict[str, ChannelSettings]:
        rows = await self._run(
            "SELECT channel, auto_reply, threshold FROM channels WHERE platform = ? AND scope = ?", (platform, scope)
        )
        return {r[0]: ChannelSettings(bool(r[1]), r[2]) for r in rows}
