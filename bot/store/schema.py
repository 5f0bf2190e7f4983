"""The SQLite schema and its migrations, safe when several processes open a fresh file at once."""

from __future__ import annotations

import aiosqlite

from bot.store.base import StoreError

# Each item upgrades the schema by one version: a tuple of single statements (executescript
# would commit on its own, outside the migration's transaction). Never edit a released step.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE entries (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL,
            rev INTEGER NOT NULL, updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE revisions (
            entry_id TEXT NOT NULL, rev INTEGER NOT NULL, data TEXT, actor TEXT NOT NULL,
            at TEXT NOT NULL, reason TEXT NOT NULL, op TEXT NOT NULL,
            PRIMARY KEY (entry_id, rev)
        )""",
        """CREATE TABLE queries (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, platform TEXT NOT NULL,
            scope TEXT NOT NULL, channel TEXT NOT NULL, author TEXT NOT NULL, mode TEXT NOT NULL,
            text TEXT NOT NULL, outcome TEXT NOT NULL, top_id TEXT, confidence REAL, matches TEXT NOT NULL
        )""",
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT, query_id INTEGER NOT NULL REFERENCES queries(id),
            actor TEXT NOT NULL, helpful INTEGER NOT NULL, at TEXT NOT NULL,
            UNIQUE (query_id, actor)
        )""",
        """CREATE TABLE gaps (
            id INTEGER PRIMARY KEY AUTOINCREMENT, domain TEXT, code INTEGER, text TEXT NOT NULL,
            query_id INTEGER, at TEXT NOT NULL
        )""",
        "CREATE INDEX gaps_key ON gaps (domain, code)",
        """CREATE TABLE channels (
            platform TEXT NOT NULL, scope TEXT NOT NULL, channel TEXT NOT NULL,
            auto_reply INTEGER NOT NULL, threshold REAL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (platform, scope, channel)
        )""",
    ),
    # 2: settings per guild / workspace (no longer read; kept so old databases stay valid).
    (
        """CREATE TABLE scopes (
            platform TEXT NOT NULL, scope TEXT NOT NULL, data TEXT NOT NULL,
            updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (platform, scope)
        )""",
    ),
    # 3: what each entry's file said at the last import, and the imports refused because the
    # entry had been changed in chat since (so a file never silently overwrites a chat edit).
    (
        "CREATE TABLE imported (entry_id TEXT PRIMARY KEY, data TEXT NOT NULL, at TEXT NOT NULL)",
        """CREATE TABLE conflicts (
            entry_id TEXT PRIMARY KEY, file_data TEXT NOT NULL, chat_rev INTEGER NOT NULL, at TEXT NOT NULL
        )""",
    ),
    # 4: the maintainers' review queue: misses (records) grouped into items, and what was done.
    (
        """CREATE TABLE review_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, codes TEXT NOT NULL,
            status TEXT NOT NULL, created_at TEXT NOT NULL, closed_at TEXT, closed_by TEXT
        )""",
        "CREATE INDEX review_items_open ON review_items (status, key)",
        """CREATE TABLE review_records (
            id INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER NOT NULL REFERENCES review_items(id),
            kind TEXT NOT NULL, query_id INTEGER, actor TEXT NOT NULL, platform TEXT NOT NULL,
            scope TEXT NOT NULL, channel TEXT NOT NULL, text TEXT NOT NULL, outcome TEXT NOT NULL,
            top_id TEXT, at TEXT NOT NULL,
            UNIQUE (kind, query_id, actor)
        )""",
        "CREATE INDEX review_records_item ON review_records (item_id)",
        "CREATE INDEX review_records_at ON review_records (at)",
        """CREATE TABLE review_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER NOT NULL REFERENCES review_items(id),
            action TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL
        )""",
    ),
    # 5: one-time sign-in links for the web dashboard (only a digest of each is kept).
    (
        """CREATE TABLE web_tokens (
            digest TEXT PRIMARY KEY, actor TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT
        )""",
    ),
    # 6: where each gap was asked, so /kb gaps shows a community only its own questions.
    # Gaps recorded before this step have no place ('') and show only to knowledge-base admins.
    (
        "ALTER TABLE gaps ADD COLUMN platform TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE gaps ADD COLUMN scope TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX gaps_place ON gaps (platform, scope)",
    ),
    # 7: the auto-reply ledger, shared by every process on the database: a thread answered once
    # (the primary key refuses a second claim) and each channel's last auto-reply (its cooldown).
    # Times are seconds since the epoch, from the claiming process's clock.
    (
        """CREATE TABLE reply_threads (
            platform TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL, at REAL NOT NULL,
            PRIMARY KEY (platform, channel, thread)
        )""",
        "CREATE INDEX reply_threads_at ON reply_threads (at)",
        """CREATE TABLE reply_cooldowns (
            platform TEXT NOT NULL, channel TEXT NOT NULL, last REAL NOT NULL,
            PRIMARY KEY (platform, channel)
        )""",
    ),
)


async def migrate(db: aiosqlite.Connection, path: str) -> None:
    """Bring the schema up to date in one ``BEGIN IMMEDIATE`` transaction.

    The version is read inside the transaction, so when several processes start on a fresh
    file, the first creates the tables and the others see its version and apply nothing.
    ``db`` must be in autocommit mode (``isolation_level=None``).
    """
    await db.execute("BEGIN IMMEDIATE")
    try:
        async with db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"database {path} has schema version {version}, newer than this program knows "
                f"({len(MIGRATIONS)}); upgrade supportbot"
            )
        for number in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[number]:
                await db.execute(statement)
        if version < len(MIGRATIONS):
            await db.execute(f"PRAGMA user_version={len(MIGRATIONS)}")
        await db.execute("COMMIT")
    except BaseException:
        await db.rollback()
        raise
