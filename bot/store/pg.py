"""The PostgreSQL store (asyncpg): the same :class:`bot.store.base.Store` as SQLite's, for
several processes on one database. Entries, revisions and imports here; the rest in
:mod:`bot.store.pg_activity` and :mod:`bot.store.pg_review`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import Entry, NotFound, Revision, Stats
from bot.store.base import ChatEdit, Conflict, ImportResult, Progress, StoreError, SyncStatus
from bot.store.connection import now
from bot.store.pg_activity import PgActivity
from bot.store.pg_privacy import PgPrivacy
from bot.store.pg_review import PgReview
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

__all__ = ["PostgresStore"]
REVISION_COLUMNS = "entry_id, rev, data, actor, at, reason, op"


class PostgresStore(PgReview, PgPrivacy, PgActivity):
    """:class:`bot.store.base.Store` on a PostgreSQL database (``postgresql://...``)."""

    async def list_entries(self) -> list[Entry]:
        rows = await self._run('SELECT id, data FROM entries ORDER BY id COLLATE "C"')
        return [e for e in (decode_entry(r[0], r[1]) for r in rows) if e is not None]

    async def get_entry(self, entry_id: str) -> Entry | None:
        rows = await self._run("SELECT id, data FROM entries WHERE id = $1", entry_id)
        return decode_entry(rows[0][0], rows[0][1]) if rows else None

    @staticmethod
    async def _last(con: Any, ids: Sequence[str]) -> dict[str, Last]:
        rows = await con.fetch(
            "SELECT DISTINCT ON (entry_id) entry_id, data, op, rev FROM revisions WHERE entry_id = ANY($1::text[]) "
            "ORDER BY entry_id, rev DESC",
            list(ids),
        )
        return {r[0]: Last(r[1], r[2], int(r[3])) for r in rows}

    @staticmethod
    async def _write_revisions(
        con: Any, rows: Sequence[tuple[Entry, str]], last: dict[str, Last], actor: str, reason: str, op: str
    ) -> list[Revision]:
        at = now()
        revisions = []
        for entry, _ in rows:
            known = last.get(entry.id)
            kind = op if known is not None else ("create" if op == "update" else op)
            revisions.append(Revision(entry.id, known.rev + 1 if known else 1, entry, actor, at, reason, kind))
        pairs = list(zip(revisions, rows, strict=True))
        await con.executemany(
            f"INSERT INTO revisions ({REVISION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            [(r.entry_id, r.rev, data, actor, at, reason, r.op) for r, (_, data) in pairs],
        )
        await con.executemany(
            "INSERT INTO entries (id, kind, data, rev, updated_at) VALUES ($1,$2,$3,$4,$5) "
            "ON CONFLICT (id) DO UPDATE SET kind=excluded.kind, data=excluded.data, "
            "rev=excluded.rev, updated_at=excluded.updated_at",
            [(r.entry_id, e.kind, data, r.rev, at) for r, (e, data) in pairs],
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
        async with self._knowledge_transaction() as con:
            # Entry rows locked first, so two processes editing one entry number revisions in turn.
            await con.execute("SELECT 1 FROM knowledge WHERE id = 1 FOR UPDATE")
            last = await self._last(con, [e.id for e, _ in rows])
            changed = [(e, d) for e, d in rows if last.get(e.id) is None or last[e.id].data != d]
            return await self._write_revisions(con, changed, last, actor, reason, op)

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
        async with self._knowledge_transaction() as con:
            await con.execute("SELECT 1 FROM knowledge WHERE id = 1 FOR UPDATE")
            last = await self._last(con, [e.id for e, _ in rows])
            imported = {r[0]: r[1] for r in await con.fetch("SELECT entry_id, data FROM imported")}
            plan = plan_import(rows, last, imported, theirs)
            revisions = await self._write_revisions(con, plan.write, last, actor, reason, IMPORT_OP)
            await con.executemany(
                "INSERT INTO imported (entry_id, data, at) VALUES ($1,$2,$3) "
                "ON CONFLICT (entry_id) DO UPDATE SET data=excluded.data, at=excluded.at",
                [(i, d, at) for i, d in plan.remember],
            )
            await con.execute("DELETE FROM conflicts WHERE entry_id = ANY($1::text[])", plan.resolved)
            await con.executemany(
                "INSERT INTO conflicts (entry_id, file_data, chat_rev, at) VALUES ($1,$2,$3,$4) "
                "ON CONFLICT (entry_id) DO UPDATE SET file_data=excluded.file_data, "
                "chat_rev=excluded.chat_rev, at=excluded.at",
                [(i, d, rev, at) for i, d, rev in plan.conflicts],
            )
        return ImportResult(tuple(revisions), tuple(i for i, _, _ in plan.conflicts))

    async def mark_exported(self, entries: Sequence[Entry]) -> None:
        rows = await encode_entries(entries, None)
        at = now()
        async with self._transaction() as con:
            await con.execute("DELETE FROM imported")
            await con.executemany(
                "INSERT INTO imported (entry_id, data, at) VALUES ($1,$2,$3)", [(e.id, d, at) for e, d in rows]
            )
            await con.execute("DELETE FROM conflicts")

    async def sync_status(self) -> SyncStatus:
        edits = await self._run(
            "SELECT r.entry_id, r.rev, r.op, r.actor, r.at FROM revisions r "
            "JOIN (SELECT entry_id, MAX(rev) AS m FROM revisions GROUP BY entry_id) x "
            "ON x.entry_id = r.entry_id AND x.m = r.rev LEFT JOIN imported i ON i.entry_id = r.entry_id "
            'WHERE r.op != $1 AND r.data IS DISTINCT FROM i.data ORDER BY r.entry_id COLLATE "C"',
            IMPORT_OP,
        )
        conflicts = await self._run(
            'SELECT entry_id, chat_rev, at, file_data FROM conflicts ORDER BY entry_id COLLATE "C"'
        )
        return SyncStatus(
            tuple(ChatEdit(r[0], int(r[1]), r[2], r[3], r[4]) for r in edits),
            tuple(Conflict(r[0], int(r[1]), r[2], decode_entry(r[0], r[3])) for r in conflicts),
        )

    async def delete_entry(self, entry_id: str, actor: str, reason: str) -> Revision:
        at = now()
        actor, reason = safe_text(actor), safe_text(reason)
        async with self._knowledge_transaction() as con:
            await con.execute("SELECT 1 FROM knowledge WHERE id = 1 FOR UPDATE")
            if not await con.fetch("SELECT 1 FROM entries WHERE id = $1", entry_id):
                raise NotFound(f"no entry '{entry_id}'")
            rev = (await self._last(con, [entry_id]))[entry_id].rev + 1
            await con.execute(
                f"INSERT INTO revisions ({REVISION_COLUMNS}) VALUES ($1,$2,NULL,$3,$4,$5,'delete')",
                entry_id,
                rev,
                actor,
                at,
                reason,
            )
            await con.execute("DELETE FROM entries WHERE id = $1", entry_id)
        return Revision(entry_id, rev, None, actor, at, reason, "delete")

    async def history(self, entry_id: str) -> list[Revision]:
        rows = await self._run(f"SELECT {REVISION_COLUMNS} FROM revisions WHERE entry_id = $1 ORDER BY rev", entry_id)
        return [r for r in map(decode_revision, rows) if r is not None]

    async def get_revision(self, entry_id: str, rev: int) -> Revision:
        rows = await self._run(
            f"SELECT {REVISION_COLUMNS} FROM revisions WHERE entry_id = $1 AND rev = $2", entry_id, rev
        )
        if not rows:
            latest = (await self._run("SELECT MAX(rev) FROM revisions WHERE entry_id = $1", entry_id))[0][0]
            if latest is None:
                raise NotFound(f"no entry '{entry_id}' and no history for it")
            raise NotFound(f"entry '{entry_id}' has no revision {rev} (revisions are 1 to {latest})")
        revision = decode_revision(rows[0])
        if revision is None:
            raise StoreError(f"revision {rev} of '{entry_id}' is stored but cannot be read")
        return revision

    async def get_meta(self, key: str) -> str | None:
        rows = await self._run("SELECT value FROM meta WHERE key = $1", key)
        return str(rows[0][0]) if rows else None

    async def set_meta(self, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
            key,
            safe_text(value),
        )

    async def stats(self) -> Stats:
        return await count_stats(self._run, self._count)
