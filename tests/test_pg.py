"""PostgreSQL for several processes: an edit through one engine reaches another within a second
(LISTEN/NOTIFY), ``kb migrate`` copies a populated SQLite store with every revision and count,
and a database restart fails the health check meanwhile, then the bot carries on, losing nothing.
Skipped (saying why) when no PostgreSQL server can be started."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import shutil
import time
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.http import succeeds
from bot.models import ChannelSettings, Incoming, Mode, Place
from bot.privacy import purge_expired
from bot.reload import KnowledgeWatcher
from bot.store.base import StoreError
from bot.store.pg import PostgresStore
from bot.store.sqlite import SQLiteStore

from .conftest import empty_database
from .core import FIXTURE_KB, start_core
from .test_reload import NEW_ENTRY, top_id


async def test_an_edit_in_one_engine_is_answered_by_the_other_within_a_second(pg_url: str, tmp_path: Path) -> None:
    await empty_database(pg_url)
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    one, two = PostgresStore(pg_url), PostgresStore(pg_url)
    await one.open()
    await two.open()
    try:
        first, second = await start_core(one, kb), await start_core(two, None)
        # Polling once a minute: only the notification can bring the edit within a second.
        watcher = KnowledgeWatcher(two, second.engine, interval=60)
        assert await watcher.listen()
        await watcher.check()
        task = asyncio.create_task(watcher.run())
        try:
            await asyncio.sleep(0.1)
            (kb / "entries" / "hot-reload.md").write_text(NEW_ENTRY, encoding="utf-8")
            await first.curator.import_tree(kb, actor="cli", reason="test")
            edited = time.monotonic()
            async with asyncio.timeout(1.0):
                while await top_id(second.engine, "zanzibar widget handshake") != "hot-reload":  # noqa: ASYNC110 (what is observed is the answer)
                    await asyncio.sleep(0.01)
            assert time.monotonic() - edited < 1.0
        finally:
            task.cancel()
    finally:
        await one.close()
        await two.close()


async def _populate(path: Path) -> None:
    store = SQLiteStore(path)
    await store.open()
    try:
        core = await start_core(store)
        entry = await core.engine.get_entry("offline")
        for n in range(3):
            await core.curator.save_entry(dataclasses.replace(entry, summary=f"Edit {n}."), "alice", create=False)
        await core.curator.delete_entry("offline", "bob", "gone")
        for text in ("Error Domain=NSURLErrorDomain Code=-1009", "nothing like this at all", "zzz qqq"):
            answer = await core.engine.answer(Incoming(text, Mode.MENTION, Place("slack", "T", "C1"), author="U1"))
            if answer is not None and answer.query_id is not None:
                await core.engine.feedback(answer.query_id, "U2", False)
        await store.set_channel("slack", "T", "C1", ChannelSettings(True, 0.5), "admin")
        await store.claim_reply("slack", "C1", "t1", time.time(), 60)
    finally:
        await store.close()


async def test_migrate_keeps_every_revision_and_count(pg_url: str, tmp_path: Path) -> None:
    await empty_database(pg_url)
    source = tmp_path / "old.db"
    await _populate(source)
    out = io.StringIO()
    migrate = ["kb", "migrate", "--from", f"sqlite://{source}", "--to", pg_url]
    assert await asyncio.to_thread(main, migrate, out) == 0
    report = out.getvalue()
    assert "counts match" in report and "revisions" in report
    old, new = SQLiteStore(source), PostgresStore(pg_url)
    await old.open()
    await new.open()
    try:
        assert await new.history("offline") == await old.history("offline")
        assert [r.op for r in await new.history("offline")][-1] == "delete"
        assert await new.stats() == await old.stats()
        assert await new.list_entries() == await old.list_entries()
        assert await new.get_channel("slack", "T", "C1") == ChannelSettings(True, 0.5)
        assert await new.thread_answered("slack", "C1", "t1")
        # New rows continue after the copied ids.
        assert await new.log_query((await old.get_query(1)) or pytest.fail("no query")) > 1
        # A second copy into the now full database is refused, leaving it as it is.
        assert await asyncio.to_thread(main, migrate, io.StringIO()) == 2
        assert (await new.stats()).queries == (await old.stats()).queries + 1
    finally:
        await old.close()
        await new.close()


async def test_a_database_restart_fails_health_meanwhile_and_loses_nothing(tmp_path: Path) -> None:
    from .pgserver import start_server

    try:
        server = start_server()  # a server of its own: this test stops it
    except RuntimeError as exc:
        pytest.skip(f"no PostgreSQL server to restart: {exc}")
    store = PostgresStore(server.url)
    try:
        await store.open()
        core = await start_core(store)
        health = succeeds(lambda: core.engine.gaps(1), "store")
        assert (await health())[0]
        answer = await core.engine.answer(Incoming("Error Domain=NSURLErrorDomain Code=-1009", Mode.CLI, author="a"))
        assert answer is not None
        before = (await store.stats()).queries
        await asyncio.to_thread(server.stop_only)
        ok, _ = await health()
        assert not ok  # /healthz says the store is down...
        with pytest.raises(StoreError):
            await store.log_query(_record())
        await asyncio.to_thread(server.start_only)
        async with asyncio.timeout(10):  # ...and the pool reconnects by itself
            while not (await health())[0]:  # noqa: ASYNC110 (polled like a load balancer polls /healthz)
                await asyncio.sleep(0.1)
        assert (await store.stats()).queries == before  # the committed query is still there
        await purge_expired(store, 90)  # a multi-row write after the restart
        assert await store.log_query(_record()) > 0
    finally:
        await store.close()
        server.stop()


def _record() -> object:
    from bot.store.base import QueryRecord

    return QueryRecord("cli", "", "", "a", "cli", "text", "nothing", None, None, ())
