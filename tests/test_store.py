"""The SQLite store: revisions, revert, feedback, gaps, channels, bad databases."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.models import ChannelSettings, Entry, ErrorRef, NotFound, SupportBotError
from bot.store.base import QueryRecord, Store, StoreError
from bot.store.sqlite import MIGRATIONS, SQLiteStore
from bot.text import storable

ENTRY = Entry(
    id="demo", kind="howto", title="Demo", summary="First version.", errors=(ErrorRef("NSURLErrorDomain", -1015, "x"),)
)


async def test_every_change_is_a_revision_with_actor(store: SQLiteStore) -> None:
    await store.put_entries([ENTRY], "alice", "create")
    await store.put_entries([replace(ENTRY, summary="Second version.")], "bob", "fix")
    history = await store.history("demo")
    assert [(r.rev, r.actor, r.op) for r in history] == [(1, "alice", "create"), (2, "bob", "update")]
    assert history[0].entry == ENTRY


async def test_unchanged_entry_gets_no_revision(store: SQLiteStore) -> None:
    await store.put_entries([ENTRY], "alice", "create")
    assert await store.put_entries([ENTRY], "alice", "again") == []
    assert len(await store.history("demo")) == 1


async def test_delete_keeps_history(store: SQLiteStore) -> None:
    await store.put_entries([ENTRY], "alice", "create")
    rev = await store.delete_entry("demo", "carol", "obsolete")
    assert rev.rev == 2 and rev.entry is None
    assert await store.get_entry("demo") is None
    assert [r.op for r in await store.history("demo")] == ["create", "delete"]
    with pytest.raises(NotFound):
        await store.delete_entry("demo", "carol", "again")


async def test_missing_revision_is_a_clear_error(store: SQLiteStore) -> None:
    await store.put_entries([ENTRY], "alice", "create")
    with pytest.raises(NotFound, match=r"no revision 7 .*1 to 1"):
        await store.get_revision("demo", 7)
    with pytest.raises(NotFound, match="no entry 'nope'"):
        await store.get_revision("nope", 1)


async def test_multi_row_change_is_all_or_nothing(store: SQLiteStore) -> None:
    good = replace(ENTRY, id="good")
    bad = replace(ENTRY, id="bad", errors=(ErrorRef("D", 1, object()),))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await store.put_entries([good, bad], "alice", "batch")
    assert await store.list_entries() == []


async def test_revert_via_curator(engine: Engine, curator: Curator) -> None:
    original = await engine.get_entry("offline")
    await curator.save_entry(replace(original, summary="Edited summary."), "discord:1", "test", create=False)
    history = await engine.history("offline")
    rev = await curator.revert("offline", history[0].rev, "discord:2")
    assert (await engine.get_entry("offline")).summary == original.summary
    assert rev.op == "revert" and rev.actor == "discord:2"
    with pytest.raises(SupportBotError, match="already has the content"):
        await curator.revert("offline", history[0].rev, "discord:2")
    with pytest.raises(NotFound):
        await curator.revert("offline", 99, "discord:2")


async def test_revert_to_a_deletion_is_refused(engine: Engine, curator: Curator) -> None:
    await curator.delete_entry("refused", "cli")
    rev = (await engine.history("refused"))[-1].rev
    with pytest.raises(SupportBotError, match="deleted it"):
        await curator.revert("refused", rev, "cli")
    await curator.revert("refused", rev - 1, "cli")
    assert (await engine.get_entry("refused")).id == "refused"


async def test_feedback_gaps_stats_channels(store: SQLiteStore) -> None:
    qid = await store.log_query(
        QueryRecord("discord", "g1", "c1", "u1", "slash", "q", "answer", "demo", 0.9, ("demo",))
    )
    await store.add_feedback(qid, "u1", True)
    await store.add_feedback(qid, "u1", False)  # a second click replaces the first
    with pytest.raises(NotFound):
        await store.add_feedback(qid + 100, "u1", True)
    await store.add_gap(None, -10985, "what is -10985", qid)
    await store.add_gap(None, -10985, "again -10985", None)
    gaps = await store.list_gaps()
    assert [(g.code, g.count) for g in gaps] == [(-10985, 2)]
    stats = await store.stats()
    assert (stats.queries, stats.answered, stats.feedback_helpful, stats.feedback_unhelpful, stats.gaps) == (
        1,
        1,
        0,
        1,
        1,
    )
    await store.set_channel("discord", "g1", "c1", ChannelSettings(True, 0.9), "admin")
    assert await store.get_channel("discord", "g1", "c1") == ChannelSettings(True, 0.9)
    assert await store.get_channel("discord", "g1", "c2") is None


async def test_schema_is_versioned(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "v.db")
    await store.open()
    await store.close()
    with sqlite3.connect(tmp_path / "v.db") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    with pytest.raises(StoreError, match="newer than this program"):
        await SQLiteStore(path).open()


async def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupt or not a SQLite file"):
        await SQLiteStore(path).open()
    assert path.read_bytes().startswith(b"this is not sqlite")  # nothing overwritten


async def test_locked_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    first = SQLiteStore(path)
    await first.open()
    await first.put_entries([ENTRY], "alice", "create")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        second = SQLiteStore(path, timeout=0.2)
        with pytest.raises(StoreError, match="locked"):
            await second.open()
            await second.put_entries([replace(ENTRY, summary="x")], "bob", "edit")
        await second.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (await first.get_entry("demo")) == ENTRY
    await first.close()


async def test_old_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(";\n".join(MIGRATIONS[0]) + ";\nPRAGMA user_version=1;")
        db.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
    store = SQLiteStore(path)
    await store.open()
    assert await store.get_meta("kept") == "yes"
    await store.set_channel("slack", "T1", "C1", ChannelSettings(True), "a")
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_gaps_are_listed_per_place(store: SQLiteStore) -> None:
    await store.add_gap("NSURLErrorDomain", -7777, "asked in guild one", None, "discord", "g1")
    await store.add_gap("NSURLErrorDomain", -7777, "asked in guild two", None, "discord", "g2")
    await store.add_gap(None, -10985, "asked in a workspace", None, "slack", "T1")
    everything = await store.list_gaps()
    assert [(g.code, g.count) for g in everything] == [(-7777, 2), (-10985, 1)]
    [one] = await store.list_gaps(platform="discord", scope="g1")
    assert (one.code, one.count, one.text) == (-7777, 1, "asked in guild one")
    assert await store.list_gaps(platform="slack", scope="g1") == []
    assert [g.text for g in await store.list_gaps(platform="slack", scope="T1")] == ["asked in a workspace"]


async def test_gaps_recorded_before_places_stay_listed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        for statement in (*MIGRATIONS[0], *MIGRATIONS[1]):
            db.execute(statement)
        db.execute("PRAGMA user_version=2")
        db.execute("INSERT INTO gaps (domain, code, text, query_id, at) VALUES (NULL, -1, 'old', NULL, 'x')")
    store = SQLiteStore(path)
    await store.open()
    try:
        assert [g.text for g in await store.list_gaps()] == ["old"]
        assert await store.list_gaps(platform="discord", scope="g1") == []  # no place: shown to no community
    finally:
        await store.close()


async def test_lone_surrogates_are_stored_as_replacement_characters(tmp_path: Path) -> None:
    # A lone surrogate (from bytes decoded with surrogateescape, or a JSON "\udcff") made
    # SQLite's UTF-8 binding raise UnicodeEncodeError; a surrogate pair is joined instead.
    # SQLite only: the rows are read back from the file itself.
    store = SQLiteStore(tmp_path / "odd.db")
    await store.open()
    text = "\udcff Code=-1009 \ud83d\ude00"
    qid = await store.log_query(QueryRecord("slack", "T\udc80", "C1", "U\ud800", "slash", text, "none", None, None, ()))
    await store.add_feedback(qid, "U\udcff", True)
    await store.add_gap("NSURLErrorDomain\udcff", -1009, text, qid)
    await store.set_channel("slack", "T\udc80", "C\udcff", ChannelSettings(True, None), "admin\udcff")
    await store.put_entries([replace(ENTRY, summary="odd \udcff summary")], "alice\udcff", "create\udcff")
    await store.put_entries([replace(ENTRY, summary="odd \udcff summary")], "alice", "again")  # unchanged
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT text, scope, author FROM queries").fetchone() == (
            "\ufffd Code=-1009 \U0001f600",
            "T\ufffd",
            "U\ufffd",
        )
        assert db.execute("SELECT actor FROM feedback").fetchone() == ("U\ufffd",)
    gaps = await store.list_gaps()
    assert [(g.domain, g.text) for g in gaps] == [("NSURLErrorDomain\ufffd", "\ufffd Code=-1009 \U0001f600")]
    assert await store.get_channel("slack", "T\udc80", "C\udcff") == ChannelSettings(True, None)
    history = await store.history("demo")
    assert [(r.actor, r.reason) for r in history] == [("alice\ufffd", "create\ufffd")]
    assert history[0].entry is not None and history[0].entry.summary == "odd \ufffd summary"
    await store.close()


def test_storable_text() -> None:
    assert storable("plain ünïcode") == "plain ünïcode"
    assert storable("\udcff") == "\ufffd"
    assert storable("\ud83d\ude00") == "\U0001f600"
    assert storable("a\ud83d") == "a\ufffd"


@pytest.mark.parametrize("timeout", [float("inf"), float("nan"), 0.0, -1.0])
def test_store_refuses_a_timeout_that_is_not_a_positive_number(tmp_path: Path, timeout: float) -> None:
    with pytest.raises(StoreError, match="busy timeout must be a positive number"):
        SQLiteStore(tmp_path / "x.db", timeout=timeout)


async def test_purges_empty_text_and_ids_but_keep_counts(store: Store) -> None:
    # On both backends: one person's data on request, everyone's after the retention period.
    mine = await store.log_query(
        QueryRecord("discord", "g", "c", "discord:1", "slash", "my words", "nothing", None, None, ())
    )
    theirs = await store.log_query(
        QueryRecord("discord", "g", "c", "discord:2", "slash", "their words", "answer", "x", 0.9, ("x",))
    )
    await store.add_feedback(theirs, "discord:1", False)
    await store.add_gap(None, -10985, "my words", mine, "discord", "g")
    before = await store.stats()
    purged = await store.purge_user("discord:1")
    assert (purged.queries, purged.feedback, purged.gaps) == (1, 1, 1)
    assert (await store.stats()).queries == before.queries
    gone, kept = await store.get_query(mine), await store.get_query(theirs)
    assert gone is not None and (gone.text, gone.author) == ("", "purged")
    assert kept is not None and (kept.text, kept.author) == ("their words", "discord:2")
    assert [g.text for g in await store.list_gaps()] == [""]
    later = await store.purge_before("9999-01-01T00:00:00+00:00")
    assert later.queries == 1  # only the one not purged yet
    assert (await store.stats()).queries == before.queries
