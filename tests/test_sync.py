"""Chat edits and file imports never overwrite each other: a file that did not change never
touches an entry, a file and a chat edit to the same entry are a reported conflict, and an
export makes files and database agree."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.cli import main
from bot.curator import assemble
from bot.store.base import Store

from .core import FIXTURE_KB, Core, same_database, start_core


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_KB, tmp_path / "knowledge"))


def edit_file(kb: Path, entry_id: str, summary: str) -> None:
    path = kb / "entries" / f"{entry_id}.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(f'summary = "{summary}"\n' if x.startswith("summary = ") else x for x in lines), encoding="utf-8"
    )


async def restart(first: Store, kb: Path) -> tuple[Core, Store, list[str]]:
    """A new process on the same database and knowledge directory: open, import, index."""
    store = same_database(first)
    await store.open()
    engine, curator = assemble(store, kb)
    warnings = await curator.start()
    return Core(engine, curator), store, warnings


async def test_a_chat_revert_survives_changes_to_other_files(store: Store, kb: Path) -> None:
    await start_core(store, kb)
    edit_file(kb, "offline", "Version two, from the files.")
    core, second, warnings = await restart(store, kb)
    assert not warnings
    assert (await core.engine.get_entry("offline")).summary == "Version two, from the files."
    await core.curator.revert("offline", 1, "discord:admin")
    await core.curator.delete_entry("refused", "discord:admin")
    reverted = await core.engine.get_entry("offline")
    await second.close()

    edit_file(kb, "flow-crash", "Another file changed.")  # so the tree digest changes
    core, third, warnings = await restart(store, kb)
    try:
        assert not warnings
        assert await core.engine.get_entry("offline") == reverted  # the revert stands
        assert await third.get_entry("refused") is None  # and so does the deletion
        assert (await core.engine.get_entry("flow-crash")).summary == "Another file changed."
        status = await third.sync_status()
        assert [(e.entry_id, e.op) for e in status.chat_edits] == [("offline", "revert"), ("refused", "delete")]
        assert status.conflicts == ()
    finally:
        await third.close()


async def test_a_file_and_a_chat_edit_to_one_entry_are_a_conflict(store: Store, kb: Path) -> None:
    first = await start_core(store, kb)
    original = await first.engine.get_entry("offline")
    chat = replace(original, summary="Edited in chat.")
    await first.curator.save_entry(chat, "slack:U1", create=False)
    edit_file(kb, "offline", "Edited in the file.")

    core, second, warnings = await restart(store, kb)
    try:
        assert len(warnings) == 1 and "offline" in warnings[0] and "chat version is kept" in warnings[0]
        assert await core.engine.get_entry("offline") == chat
        assert [r.op for r in await core.engine.history("offline")] == ["import", "update"]
        (conflict,) = (await second.sync_status()).conflicts
        assert conflict.entry_id == "offline" and conflict.chat_rev == 2
        assert conflict.file_entry is not None and conflict.file_entry.summary == "Edited in the file."
        assert (await second.stats()).conflicts == 1
        # Importing again changes nothing and still reports it.
        again = await core.curator.import_tree(kb, "cli")
        assert (again.changed, again.conflicts) == (0, ("offline",))

        taken = await core.curator.import_tree(kb, "cli", theirs=True)
        assert [(r.entry_id, r.op) for r in taken.revisions] == [("offline", "import")]
        assert (await core.engine.get_entry("offline")).summary == "Edited in the file."
        assert await core.engine.history("offline") and (await second.sync_status()).conflicts == ()
        assert (await second.history("offline"))[1].entry == chat  # the chat edit is still in history
    finally:
        await second.close()


async def test_export_then_import_changes_nothing(store: Store, kb: Path) -> None:
    core = await start_core(store, kb)
    original = await core.engine.get_entry("offline")
    await core.curator.save_entry(replace(original, summary="Edited in chat."), "slack:U1", create=False)
    await core.curator.delete_entry("refused", "slack:U1")
    assert len((await store.sync_status()).chat_edits) == 2
    await core.curator.export_tree(kb)
    assert not (kb / "entries" / "refused.md").exists()
    status = await store.sync_status()
    assert (status.chat_edits, status.conflicts) == ((), ())
    revisions = {e.id: len(await store.history(e.id)) for e in await store.list_entries()}

    again, second, warnings = await restart(store, kb)
    try:
        assert not warnings
        report = await again.curator.import_tree(kb, "cli")
        assert (report.changed, report.conflicts) == (0, ())
        assert {e.id: len(await second.history(e.id)) for e in await second.list_entries()} == revisions
    finally:
        await second.close()


def cli(args: list[str], kb: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("SUPPORTBOT_KNOWLEDGE__PATH", str(kb))
    monkeypatch.setenv("SUPPORTBOT_STORE__PATH", str(db))
    out = io.StringIO()
    return main(args, out=out), out.getvalue()


def test_kb_status_import_theirs_and_export_at_the_terminal(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cli.db"
    assert cli(["kb", "import"], kb, db, monkeypatch)[0] == 0
    assert "nothing changed in chat" in cli(["kb", "status"], kb, db, monkeypatch)[1]
    assert cli(["kb", "revert", "offline", "1"], kb, db, monkeypatch)[0] == 2  # already revision 1's content
    edit_file(kb, "offline", "File version.")
    assert cli(["kb", "import"], kb, db, monkeypatch)[0] == 0
    assert cli(["kb", "revert", "offline", "1"], kb, db, monkeypatch)[0] == 0  # a chat-side change
    edit_file(kb, "offline", "Newer file version.")
    code, out = cli(["kb", "import"], kb, db, monkeypatch)
    assert code == 1 and "CONFLICT" in out and "offline" in out
    status = cli(["kb", "status"], kb, db, monkeypatch)[1]
    assert "revert:\toffline" in status and "both changed:\toffline" in status
    assert "Conflicts\t1 " in cli(["kb", "stats"], kb, db, monkeypatch)[1]
    assert cli(["kb", "import", "--theirs"], kb, db, monkeypatch)[0] == 0
    assert "nothing changed in chat" in cli(["kb", "status"], kb, db, monkeypatch)[1]
    assert "Conflicts" not in cli(["kb", "stats"], kb, db, monkeypatch)[1]
