"""The SQLite store (aiosqlite): WAL mode, one writer (see :mod:`bot.store.connection`),
versioned schema (:mod:`bot.store.schema`); entries, revisions and imports here."""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from bot.models import Entry, NotFound, Revision, Stats
from bot.store.activity import SQLiteActivity
from bot.store.base import ChatEdit, Conflict, ImportResult, Progress, StoreError, SyncStatus
from bot.store.connection import now
from bot.store.privacy import PrivacyTables
from bot.store.rows import (
    IMPORT_OP,
    Last,
    count_stats,
    decode_entry,
    decode_revision,
    encode_entries,
    plan_import,
    safe_text,
)
from bot.store.schema import MIGRATIONS
from bot.store.sqlite_replies import ReplyTables
from bot.store.sqlite_review import ReviewTables
from bot.store.sqlite_web import WebTables

__all__ = ["MIGRATIONS", "SQLiteStore"]
CHUNK = 500  # ids per IN (...) query
REVISION_COLUMNS = "entry_id, rev, data, actor, at, reason, op"


class SQLiteStore(ReviewTables, WebTables, ReplyTables, PrivacyTables, SQLiteActivity):
    """:class:`bot.store.base.Store` on one SQLite file (or ``:memory:``)."""

    # ------------------------------------------------------------ entries and revisions

    async def list_entries(self) -> list[Entry]:
        rows = await self._run("SELECT id, data FROM entries ORDER BY id")
        return [e for e in (decode_entry(r[0], r[1]) for r in rows) if e is not None]

    async def get_entry(self, entry_id: str) -> Entry | None:
        rows = await self._run("SELECT id, data FROM entries WHERE id = ?", (entry_id,))
        return decode_entry(rows[0][0], rows[0][1]) if rows else None

    @staticmethod
    async def _last(db: aiosqlite.Connection, ids: Sequence[str]) -> dict[str, Last]:
        """The newest revision of each of ``ids`` that has one."""
        out: dict[str, Last] = {}
        for start in range(0, len(ids), CHUNK):
            part = list(ids[start : start + CHUNK])
            rows = await db.execute_fetchall(
                f"SELECT r.entry_id, r.data, r.op, r.rev FROM revisions r WHERE r.entry_id IN "
                f"({','.join('?' * len(part))}) AND r.rev = "
                "(SELECT MAX(rev) FROM revisions WHERE entry_id = r.entry_id)",
                part,
            )
            out.update({r[0]: Last(r[1], r[2], int(r[3])) for r in rows})
        return out

    @staticmethod
    async def _write_revisions(
        db: aiosqlite.Connection,
        rows: Sequence[tuple[Entry, str]],
        last: dict[str, Last],
        actor: str,
        reason: str,
        op: str,
    ) -> list[Revision]:
        at = now()
        revisions = []
        for entry, _ in rows:
            known = last.get(entry.id)
            kind = op if known is not None else ("create" if op == "update" else op)
            revisions.append(Revision(entry.id, known.rev + 1 if known else 1, entry, actor, at, reason, kind))
        await db.executemany(
            f"INSERT INTO revisions ({REVISION_COLUMNS}) VALUES (?,?,?,?,?,?,?)",
            [(r.entry_id, r.rev, data, actor, at, reason, r.op) for r, (_, data) in zip(revisions, rows, strict=True)],
        )
        await db.executemany(
            "INSERT INTO entries (id, kind, data, rev, updated_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, data=excluded.data, "
            "rev=excluded.rev, updated_at=excluded.updated_at",
            [(r.entry_id, e.kind, data, r.rev, at) for r, (e, data) in zip(revisions, rows, strict=True)],
        )
        return revisions

    async def put_entries(
        self,
        entries: Sequence[Entry],
        actor: str,
        reason: str,
        op: str = "update",
        progress: Progress | None = None,
    ) -> list[Revision]:
        rows = await encode_entries(entries, progress)
        actor, reason = safe_text(actor), safe_text(reason)
        async with self._transaction() as db:
            last = await self._last(db, [e.id for e, _ in rows])
            changed = [(e, d) for e, d in rows if last.get(e.id) is None or last[e.id].data != d]
            return await self._write_revisions(db, changed, last, actor, reason, op)

    async def import_entries(
        self,
        entries: Sequence[Entry],
        actor: str,
        reason: str,
        *,
        theirs: bool = False,
        progress: Progress | None = None,
    ) -> ImportResult:
        rows = await encode_entries(entries, progress)
        actor, reason = safe_text(actor), safe_text(reason)
        at = now()
        async with self._transaction() as db:
            ids = [e.id for e, _ in rows]
            last = await self._last(db, ids)
            imported = {r[0]: r[1] for r in await db.execute_fetchall("SELECT entry_id, data FROM imported")}
            plan = plan_import(rows, last, imported, theirs)
            revisions = await self._write_revisions(db, plan.write, last, actor, reason, IMPORT_OP)
            await db.executemany(
                "INSERT INTO imported (entry_id, data, at) VALUES (?,?,?) "
                "ON CONFLICT(entry_id) DO UPDATE SET data=excluded.data, at=excluded.at",
                [(i, d, at) for i, d in plan.remember],
            )
            await db.executemany("DELETE FROM conflicts WHERE entry_id = ?", [(i,) for i in plan.resolved])
            await db.executemany(
                "INSERT INTO conflicts (entry_id, file_data, chat_rev, at) VALUES (?,?,?,?) "
                "ON CONFLICT(entry_id) DO UPDATE SET file_data=excluded.file_data, "
                "chat_rev=excluded.chat_rev, at=excluded.at",
                [(i, d, rev, at) for i, d, rev in plan.conflicts],
            )
        return ImportResult(tuple(revisions), tuple(i for i, _, _ in plan.conflicts))

    async def mark_exported(self, entries: Sequence[Entry]) -> None:
        rows = await encode_entries(entries, None)
        at = now()
        async with self._transaction() as db:
            await db.execute("DELETE FROM imported")
            await db.executemany(
                "INSERT INTO imported (entry_id, data, at) VALUES (?,?,?)", [(e.id, d, at) for e, d in rows]
            )
            await db.execute("DELETE FROM conflicts")

    async def sync_status(self) -> SyncStatus:
        edits = await self._run(
            "SELECT r.entry_id, r.rev, r.op, r.actor, r.at FROM revisions r "
            "JOIN (SELECT entry_id, MAX(rev) AS m FROM revisions GROUP BY entry_id) x "
            "ON x.entry_id = r.entry_id AND x.m = r.rev LEFT JOIN imported i ON i.entry_id = r.entry_id "
            "WHERE r.op != ? AND r.data IS NOT i.data ORDER BY r.entry_id",
            (IMPORT_OP,),
        )
        conflicts = await self._run("SELECT entry_id, chat_rev, at, file_data FROM conflicts ORDER BY entry_id")
        return SyncStatus(
            tuple(ChatEdit(r[0], int(r[1]), r[2], r[3], r[4]) for r in edits),
            tuple(Conflict(r[0], int(r[1]), r[2], decode_entry(r[0], r[3])) for r in conflicts),
        )

    async def delete_entry(self, entry_id: str, actor: str, reason: str) -> Revision:
        at = now()
        actor, reason = safe_text(actor), safe_text(reason)
        async with self._transaction() as db:
            if not await db.execute_fetchall("SELECT 1 FROM entries WHERE id = ?", (entry_id,)):
                raise NotFound(f"no entry '{entry_id}'")
            rev = (await self._last(db, [entry_id]))[entry_id].rev + 1
            await db.execute(
                f"INSERT INTO revisions ({REVISION_COLUMNS}) VALUES (?,?,NULL,?,?,?,'delete')",
                (entry_id, rev, actor, at, reason),
            )
            await db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        return Revision(entry_id, rev, None, actor, at, reason, "delete")

    async def history(self, entry_id: str) -> list[Revision]:
        rows = await self._run(f"SELECT {REVISION_COLUMNS} FROM revisions WHERE entry_id = ? ORDER BY rev", (entry_id,))
        return [r for r in map(decode_revision, rows) if r is not None]

    async def get_revision(self, entry_id: str, rev: int) -> Revision:
        rows = await self._run(
            f"SELECT {REVISION_COLUMNS} FROM revisions WHERE entry_id = ? AND rev = ?", (entry_id, rev)
        )
        if not rows:
            known = await self._run("SELECT MAX(rev) FROM revisions WHERE entry_id = ?", (entry_id,))
            latest = known[0][0] if known else None
            if latest is None:
                raise NotFound(f"no entry '{entry_id}' and no history for it")
            raise NotFound(f"entry '{entry_id}' has no revision {rev} (revisions are 1 to {latest})")
        revision = decode_revision(rows[0])
        if revision is None:
            raise StoreError(f"revision {rev} of '{entry_id}' is stored but cannot be read")
        return revision

    async def get_meta(self, key: str) -> str | None:
        rows = await self._run("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    async def knowledge_version(self) -> int:
        # Every knowledge write adds a revision row in its own transaction, and revisions are
        # never deleted, so the newest rowid changes exactly when the knowledge does.
        rows = await self._run("SELECT coalesce(max(rowid), 0) FROM revisions")
        return int(rows[0][0])

    async def set_meta(self, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, safe_text(value)),
        )

    async def stats(self) -> Stats:
        return await count_stats(self._run, self._count)
