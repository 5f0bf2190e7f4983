"""Knowledge updates without a restart: an import through one store (another process in
production) reaches a running engine on another store over the same database file."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from pathlib import Path

from bot.models import Incoming, Mode
from bot.reload import KnowledgeWatcher
from bot.store.sqlite import SQLiteStore

from .core import FIXTURE_KB, start_core

NEW_ENTRY = """+++
id = "hot-reload"
kind = "howto"
title = "Zanzibar widget handshake"
summary = "Reloaded without a restart."
aliases = ["zanzibar widget handshake"]
+++
Body.
"""


async def top_id(engine: object, text: str) -> str | None:
    answer = await engine.answer(Incoming(text, Mode.CLI, author="test"))  # type: ignore[attr-defined]
    return answer.matches[0].entry.id if answer is not None and answer.matches else None


async def test_an_import_elsewhere_reaches_the_running_engine(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    running, importer = SQLiteStore(tmp_path / "bot.db"), SQLiteStore(tmp_path / "bot.db")
    await running.open()
    await importer.open()
    try:
        bot = await start_core(running, kb)
        checked = asyncio.Event()

        async def pause(seconds: float) -> None:
            checked.set()
            await asyncio.sleep(seconds)

        watcher = KnowledgeWatcher(running, bot.engine, interval=0.05, sleep=pause)
        assert not await watcher.check()  # the first check only notes the version
        assert await top_id(bot.engine, "zanzibar widget handshake") != "hot-reload"

        (kb / "entries" / "hot-reload.md").write_text(NEW_ENTRY, encoding="utf-8")
        other = await start_core(importer, None)
        await other.curator.import_tree(kb, actor="cli", reason="test")

        task = asyncio.create_task(watcher.run())
        try:
            async with asyncio.timeout(5):
                while await top_id(bot.engine, "zanzibar widget handshake") != "hot-reload":
                    checked.clear()
                    await checked.wait()
        finally:
            task.cancel()
        assert watcher.reloads == 1
        assert not await watcher.check()  # nothing changed since
    finally:
        await importer.close()
        await running.close()


async def test_the_version_moves_with_every_kind_of_knowledge_write(store: SQLiteStore) -> None:
    core = await start_core(store)
    seen = [await store.knowledge_version()]
    entry = await core.engine.get_entry("offline")
    await core.curator.save_entry(dataclasses.replace(entry, summary="Changed."), "t", create=False)
    seen.append(await store.knowledge_version())
    await core.curator.revert("offline", 1, "t")
    seen.append(await store.knowledge_version())
    await store.set_meta("unrelated", "x")  # not knowledge: no rebuild needed
    seen.append(await store.knowledge_version())
    assert seen[0] < seen[1] < seen[2] == seen[3]
