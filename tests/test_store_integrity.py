"""No edit is ever lost: imports are all or nothing even while the bot writes, survive SIGKILL,
fresh databases survive concurrent first starts, and a broken row never stops a command."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.models import Entry, Incoming, Mode
from bot.store.base import QueryRecord
from bot.store.sqlite import MIGRATIONS, SQLiteStore

from .core import start_core

ROOT = Path(__file__).parent.parent
SCRIPTS = Path(__file__).parent / "scripts"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def synthetic(before: list[Entry], size: int) -> list[Entry]:
    """Every stored entry changed, plus ``size`` new ones: an import large enough to interrupt."""
    changed = [replace(e, summary=e.summary + " (new version)") for e in before]
    return changed + [
        Entry(id=f"synthetic-{i:05d}", kind="howto", title=f"Synthetic {i}", summary="A new entry.")
        for i in range(size)
    ]


async def test_writes_during_an_import_never_commit_part_of_it(store: SQLiteStore, tmp_path: Path) -> None:
    core = await start_core(store)
    before = await store.list_entries()
    clicked = await store.log_query(QueryRecord("cli", "", "", "u", "slash", "q", "answer", None, None, ()))
    halfway = asyncio.Event()

    def progress(done: int, total: int) -> None:
        if done >= total // 2:
            halfway.set()

    big = synthetic(before, 20_000)
    job = asyncio.create_task(store.put_entries(big, "cli", "big import", op="import", progress=progress))
    await asyncio.wait_for(halfway.wait(), 30)
    asked = asyncio.create_task(core.engine.answer(Incoming("NSURLErrorDomain -1009 offline", Mode.SLASH, author="u")))
    click = asyncio.create_task(core.engine.feedback(clicked, "someone", True))
    await asyncio.sleep(0.02)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    answer = await asyncio.wait_for(asked, 30)
    await asyncio.wait_for(click, 30)
    assert answer is not None and answer.query_id is not None
    assert await store.list_entries() == before
    # A second connection sees what is committed on disk: the old knowledge base, whole.
    other = SQLiteStore(store.path)
    await other.open()
    try:
        assert await other.list_entries() == before
        stats = await other.stats()
        assert (stats.queries, stats.feedback_helpful) == (2, 1)
    finally:
        await other.close()


def check_consistent(path: Path, size: int, committed: int) -> int:
    """The database passes integrity_check and holds one whole version, at least ``committed``."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        versions = {r[0] for r in db.execute("SELECT json_extract(data, '$.summary') FROM entries")}
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == size
        assert len(versions) == 1, f"half-written import: {sorted(versions)[:5]}"
        current = int(versions.pop()[1:])
        assert current >= committed
        # Every entry is its newest revision, and every committed version has its revisions.
        mismatched = db.execute(
            "SELECT COUNT(*) FROM entries e JOIN revisions r ON r.entry_id = e.id "
            "AND r.rev = (SELECT MAX(rev) FROM revisions WHERE entry_id = e.id) "
            "WHERE r.data IS NOT e.data OR r.rev != e.rev"
        ).fetchone()[0]
        assert mismatched == 0
        assert db.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == size * current
    return current


def test_sigkill_in_the_middle_of_imports_loses_nothing(tmp_path: Path) -> None:
    path, size, rounds = tmp_path / "kill.db", 5000, 6
    committed = 0
    rng = random.Random(9)
    for _ in range(rounds):
        child = subprocess.Popen(
            [sys.executable, str(SCRIPTS / "import_forever.py"), str(path), str(size)],
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert child.stdout is not None
        line = child.stdout.readline()  # wait for one committed import, then kill at a random moment
        assert line.startswith("committed"), line
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        reported = [int(x.split()[1]) for x in [line, *rest.splitlines()] if x.startswith("committed")]
        committed = check_consistent(path, size, max(reported))
    assert committed >= 1


def test_concurrent_first_starts_on_one_fresh_database(tmp_path: Path) -> None:
    processes, rounds, step = 4, 20, 0.12
    start = time.time() + 1.5  # after every process has imported the code
    children = [
        subprocess.Popen(
            [sys.executable, str(SCRIPTS / "first_start.py"), str(tmp_path), str(rounds), str(start), str(step)],
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for _ in range(processes)
    ]
    outputs = [c.communicate(timeout=60)[0] for c in children]
    lines = [x for out in outputs for x in out.splitlines()]
    assert [x for x in lines if not x.startswith("ok")] == []
    assert len(lines) == processes * rounds
    for i in range(rounds):
        with sqlite3.connect(tmp_path / f"round_{i}.db") as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_broken_rows_are_reported_and_skipped(
    store: SQLiteStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = Entry(id="good", kind="howto", title="Good", summary="Fine.")
    await store.put_entries([good], "cli", "add")
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO entries VALUES ('broken-json', 'howto', '{not json', 1, 'now')")
        db.execute("INSERT INTO entries VALUES ('missing-keys', 'howto', '{\"id\": \"missing-keys\"}', 1, 'now')")
        db.execute(
            "INSERT INTO revisions VALUES ('good', 2, '[1, 2]', 'x', 'now', 'hand edit', 'update')"
        )  # a broken revision in a history
    with caplog.at_level(logging.WARNING):
        assert await store.list_entries() == [good]
    assert "broken-json" in caplog.text and "missing-keys" in caplog.text
    assert await store.get_entry("broken-json") is None
    assert [r.rev for r in await store.history("good")] == [1]
    stats = await store.stats()
    assert (stats.entries, stats.skipped) == (1, 2)
