"""kb backup / kb restore: a consistent copy while the bot writes, and a restore that checks the
file before anything is replaced."""

from __future__ import annotations

import asyncio
import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from adapters.cli import main
from bot.models import Incoming, Mode, Place, Revision
from bot.store import backup as backup_module
from bot.store.backup import BEFORE_RESTORE, backup, check_database, restore
from bot.store.base import StoreError
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, FIXTURE_KB, Core

PLACE = Place("discord", "G", "help")


async def knowledge(store: SQLiteStore) -> tuple[list[str], dict[str, list[Revision]]]:
    """Every entry (as canonical text) and every entry's whole revision history."""
    entries = await store.list_entries()
    return [repr(e) for e in entries], {e.id: await store.history(e.id) for e in entries}


async def opened(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    await store.open()
    return store


def edited_copy(tmp_path: Path, count: int = 30) -> Path:
    """The bundled knowledge base with ``count`` entries edited (what an import then changes)."""
    tree = tmp_path / "kb"
    shutil.copytree(BUNDLED_KB, tree)
    for path in sorted((tree / "entries").glob("*.md"))[:count]:
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited for the backup test.\n", encoding="utf-8")
    return tree


async def test_backup_while_the_bot_writes_then_restore(
    bundled_core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "PAGES_PER_STEP", 4)  # many steps, so the writes interleave
    core, store = bundled_core, bundled_core.curator.store
    assert isinstance(store, SQLiteStore)
    edited = await asyncio.to_thread(edited_copy, tmp_path)
    before = await knowledge(store)
    written = 0
    seen_during: list[int] = []
    stop = asyncio.Event()
    started = asyncio.Event()

    async def bot_writes() -> None:
        nonlocal written
        while not stop.is_set():
            await core.engine.answer(
                Incoming("Error Domain=NSURLErrorDomain Code=-1009", Mode.SLASH, PLACE, "discord:7")
            )
            written += 1
            started.set()
            if written == 5:
                await core.curator.import_tree(edited, actor="test")
            await asyncio.sleep(0)

    writer = asyncio.create_task(bot_writes())
    await started.wait()
    copy = tmp_path / "during.db"
    info = await asyncio.to_thread(backup, Path(store.path), copy, lambda done, total: seen_during.append(written))
    stop.set()
    await writer
    after = await knowledge(store)
    assert before != after  # the import did change the knowledge base
    assert len(seen_during) > 10 and seen_during[-1] > seen_during[0], "the bot kept writing during the copy"

    # The copy is a snapshot: the knowledge base before the import or after it, never half of it.
    during = await opened(copy)
    try:
        assert await knowledge(during) in (before, after)
        assert info.queries == (await during.stats()).queries <= written
    finally:
        await during.close()

    # Quiet now: a backup restored into a fresh place is the same knowledge base, and sound.
    final = tmp_path / "final.db"
    await asyncio.to_thread(backup, Path(store.path), final)
    fresh = tmp_path / "fresh" / "restored.db"
    restored_info, kept = await asyncio.to_thread(restore, final, fresh)
    assert kept is None and restored_info.entries == len(after[0])
    restored = await opened(fresh)
    try:
        assert await knowledge(restored) == after
        assert (await restored.stats()).queries == (await store.stats()).queries == written
    finally:
        await restored.close()
    assert check_database(fresh).schema_version == info.schema_version
    with sqlite3.connect(fresh) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _bad_files(tmp_path: Path, good: Path) -> dict[str, tuple[Path, str]]:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is a text file, not a database\n" * 200)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (x)")
        db.execute("PRAGMA user_version=5")
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version=999")
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xff" * (4096 * 2)  # wipe two pages of tables
    damaged.write_bytes(bytes(data))
    return {
        "junk": (junk, "not a SQLite database"),
        "foreign": (foreign, "tables missing"),
        "newer": (newer, "newer than this program knows"),
        "damaged": (damaged, "damaged"),
        "missing": (tmp_path / "nothing-here.db", "no such file"),
    }


async def test_a_bad_file_is_refused_and_nothing_replaced(core: Core, store: SQLiteStore, tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    await asyncio.to_thread(backup, Path(store.path), good)
    live = tmp_path / "live.db"
    await asyncio.to_thread(restore, good, live)  # a database of its own, nothing else has it open
    original = live.read_bytes()
    for name, (path, reason) in _bad_files(tmp_path, good).items():
        with pytest.raises(StoreError, match=reason):
            await asyncio.to_thread(restore, path, live)
        assert live.read_bytes() == original, name
        assert not await asyncio.to_thread(Path(f"{live}{BEFORE_RESTORE}").exists), name

    # A good one goes in; the database it replaced is kept, and never overwritten by a second restore.
    await asyncio.to_thread(restore, good, live)
    assert check_database(Path(f"{live}{BEFORE_RESTORE}")).entries == check_database(good).entries
    with pytest.raises(StoreError, match="move it away first"):
        await asyncio.to_thread(restore, good, live)


def _run(
    args: list[str], db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setenv("SUPPORTBOT_KNOWLEDGE__PATH", str(FIXTURE_KB))
    monkeypatch.setenv("SUPPORTBOT_STORE__PATH", str(db))
    out = io.StringIO()
    capsys.readouterr()
    code = main(args, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_backup_and_restore_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "bot.db"
    code, _, err = _run(["kb", "backup", str(tmp_path / "b.db")], db, capsys, monkeypatch)
    assert code == 2 and "no such database" in err and "Traceback" not in err
    assert _run(["kb", "import"], db, capsys, monkeypatch)[0] == 0
    code, out, _ = _run(["kb", "backup", str(tmp_path / "b.db")], db, capsys, monkeypatch)
    assert code == 0 and "integrity ok" in out
    assert (tmp_path / "b.db").stat().st_mode & 0o077 == 0  # people's messages: the owner's alone
    code, _, err = _run(["kb", "backup", str(tmp_path / "no" / "b.db")], db, capsys, monkeypatch)
    assert code == 2 and "no such directory" in err
    (tmp_path / "text.db").write_text("hello")
    code, _, err = _run(["kb", "restore", str(tmp_path / "text.db")], db, capsys, monkeypatch)
    assert code == 2 and "not a SQLite database" in err and "Traceback" not in err
    code, out, _ = _run(["kb", "restore", str(tmp_path / "b.db")], db, capsys, monkeypatch)
    assert code == 0 and f"kept as {db}{BEFORE_RESTORE}" in out


async def test_restore_over_a_damaged_database_keeps_its_bytes(core: Core, store: SQLiteStore, tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    await asyncio.to_thread(backup, Path(store.path), good)
    live, wal = tmp_path / "live.db", tmp_path / "live.db-wal"
    await asyncio.to_thread(live.write_bytes, b"not a database any more " * 500)
    await asyncio.to_thread(wal.write_bytes, b"an old write-ahead log " * 50)
    info, kept = await asyncio.to_thread(restore, good, live)
    assert kept is not None and await asyncio.to_thread(kept.read_bytes) == b"not a database any more " * 500
    assert await asyncio.to_thread(Path(f"{kept}-wal").read_bytes) == b"an old write-ahead log " * 50
    assert check_database(live).entries == info.entries > 0
    restored = await opened(live)  # and the bot opens it: no stale WAL replayed over it
    try:
        assert [e.id for e in await restored.list_entries()] == [e.id for e in await store.list_entries()]
    finally:
        await restored.close()
