"""Knowledge files: parsing with file and line, canonical writing, round trips, lint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.knowledge.entryfile import parse_entry_text, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.knowledge.tree import read_knowledge, render_tree, write_tree
from bot.lint import check_url, lint_tree
from bot.models import SupportBotError
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, FIXTURE_KB, start_core

GOOD = """+++
id = "demo"
kind = "howto"
title = "Demo"
summary = "An answer."

[[errors]]
domain = "NSURLErrorDomain"
code = -1009
symbol = "NSURLErrorNotConnectedToInternet"
+++
Body.
"""


def copy_kb(tmp_path: Path, src: Path = FIXTURE_KB) -> Path:
    dst = tmp_path / "kb"
    shutil.copytree(src, dst)
    return dst


def test_parse_and_render_round_trip() -> None:
    entry = parse_entry_text(GOOD, "demo.md", expected_id="demo")
    assert entry.errors[0].code == -1009
    assert parse_entry_text(render_entry(entry), "again.md") == entry


def test_invalid_toml_names_file_and_line() -> None:
    text = GOOD.replace('summary = "An answer."', "summary = An answer.")
    with pytest.raises(KnowledgeError) as info:
        parse_entry_text(text, "demo.md")
    assert info.value.problems[0].startswith("demo.md:5:")


def test_schema_errors_name_the_key_and_line() -> None:
    text = GOOD.replace("code = -1009", 'code = "minus"').replace('kind = "howto"', 'kind = "faq"')
    with pytest.raises(KnowledgeError) as info:
        parse_entry_text(text, "demo.md", expected_id="other")
    problems = "\n".join(info.value.problems)
    assert "demo.md:3: kind: 'faq' is not one of" in problems
    assert "does not match the file name 'other.md'" in problems
    assert "errors[0].code: must be an integer" in problems


def test_missing_fence_and_empty_summary() -> None:
    with pytest.raises(KnowledgeError, match="must start with"):
        parse_entry_text("id = 'x'", "x.md")
    with pytest.raises(KnowledgeError, match="summary: must not be empty"):
        parse_entry_text(GOOD.replace("An answer.", "  "), "demo.md")


def test_bundled_knowledge_base_lints_clean() -> None:
    assert lint_tree(BUNDLED_KB) == []


def test_bundled_export_is_byte_stable() -> None:
    ks = read_knowledge(BUNDLED_KB)
    for rel, text in render_tree(ks.entries).items():
        assert (BUNDLED_KB / rel).read_bytes() == text.encode("utf-8"), rel


def test_lint_reports_each_kind_of_problem(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    text = GOOD.replace('id = "demo"', 'id = "dup"').replace('kind = "howto"', 'kind="howto"')
    text = text.replace("+++\nBody.", '\n[[links]]\ntitle = "x"\nurl = "http://evil.example/x"\n+++\nBody.')
    (kb / "entries" / "dup.md").write_text(text, encoding="utf-8")
    problems = "\n".join(lint_tree(kb))
    # Both claimants are named with their files and lines, the URL problem with its file and line.
    entries = kb / "entries"
    assert (
        f"{entries}/dup.md:1: NSURLErrorDomain -1009 is claimed by dup ({entries}/dup.md:1), "
        f"offline ({entries}/offline.md:1)" in problems
    )
    assert f"{entries}/dup.md:1: dup: link 'x': URL 'http://evil.example/x' must use https" in problems
    assert "not in canonical form" in problems


def test_check_url() -> None:
    hosts = frozenset({"developer.apple.com"})
    assert check_url("https://developer.apple.com/documentation/x", hosts) is None
    assert "allow-list" in (check_url("https://example.com/x", hosts) or "")
    assert "https" in (check_url("ftp://developer.apple.com/", hosts) or "")
    assert "malformed" in (check_url("https:///nohost", hosts) or "")


def test_malformed_catalog_row_names_line(tmp_path: Path) -> None:
    kb = copy_kb(tmp_path)
    path = kb / "catalog" / "codes.tsv"
    path.write_text(
        path.read_text(encoding="utf-8") + "NSURLErrorDomain\tnot-a-number\tX\tmeaning\tsrc\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as info:
        read_knowledge(kb)
    assert info.value.problems == [f"{path}:6: code 'not-a-number' is not an integer"]


async def test_import_is_idempotent_and_all_or_nothing(tmp_path: Path, store: SQLiteStore) -> None:
    kb = copy_kb(tmp_path)
    core = await start_core(store, kb)
    engine, curator = core.engine, core.curator
    before = await store.list_entries()
    report = await curator.import_tree(kb, actor="ci")
    assert report.changed == 0
    (kb / "entries" / "offline.md").write_text(
        (kb / "entries" / "offline.md").read_text(encoding="utf-8").replace("no usable network", "offline"),
        encoding="utf-8",
    )
    (kb / "entries" / "broken.md").write_text("+++\nid = \n+++\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"broken.md:2"):
        await curator.import_tree(kb, actor="ci")
    assert await store.list_entries() == before  # nothing half-imported
    (kb / "entries" / "broken.md").unlink()
    report = await curator.import_tree(kb, actor="ci")
    assert report.changed == 1
    assert (await engine.history("offline"))[-1].actor == "ci"


async def test_export_round_trip_through_the_store(tmp_path: Path, store: SQLiteStore) -> None:
    core = await start_core(store, FIXTURE_KB)
    engine = core.engine
    out = tmp_path / "out"
    write_tree(out, await engine.list_entries())
    for rel, text in render_tree(read_knowledge(FIXTURE_KB).entries).items():
        assert (out / rel).read_text(encoding="utf-8") == text
    # Writing again changes nothing; a deleted entry's file is removed.
    assert write_tree(out, await engine.list_entries()) == (0, 0)
    await core.curator.delete_entry("flow-crash", "cli")
    assert write_tree(out, await engine.list_entries()) == (0, 1)
    assert not (out / "entries" / "flow-crash.md").exists()


async def test_chat_import_rejects_bad_files(engine: Engine, curator: Curator) -> None:
    before = await engine.list_entries()
    with pytest.raises(KnowledgeError):
        await curator.import_files({"entries/x.md": b"+++\nid = 'x'\n+++\n"}, actor="discord:1")
    with pytest.raises(SupportBotError, match="only entries"):
        await curator.import_files({"../../etc/passwd": b"x"}, actor="discord:1")
    assert await engine.list_entries() == before


async def test_chat_import_is_checked_against_stored_entries(engine: Engine, curator: Curator) -> None:
    # The file is valid on its own, but claims a code the stored entry 'offline' owns.
    text = GOOD.replace('id = "demo"', 'id = "usurper"')
    with pytest.raises(KnowledgeError, match="claimed by offline, usurper"):
        await curator.import_files({"entries/usurper.md": text.encode()}, actor="discord:1")
    assert await engine.store.get_entry("usurper") is None
