"""Fuzzing the core with hostile text: extraction, ranking on the bundled KB, crash parsing, the store.

Zero exceptions is the property; ``bench/fuzz.py`` runs the same strategies 100,000 times.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.crash import parse_crash
from bot.curator import assemble
from bot.domains import load_domains
from bot.engine import Engine
from bot.extract import Extractor
from bot.models import Attachment
from bot.settings import EngineSettings
from bot.store.activity import QUERY_TEXT_LIMIT
from bot.store.base import QueryRecord
from bot.store.sqlite import SQLiteStore
from bot.text import storable

from .core import BUNDLED_KB
from .hostile_strategies import HOSTILE_TEXT, UNICODE_TEXT, crash_json

EXTRACTOR = Extractor(load_domains(BUNDLED_KB / "domains.toml"))
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]


def fuzz(examples: int) -> settings:
    """No deadline (CI load is not a bug) and no size health checks (big inputs are the point)."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=_QUIET)


class _Loop:
    """A store on its own event loop, so synchronous hypothesis tests can call it."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.store = SQLiteStore(path)
        self.loop.run_until_complete(self.store.open())

    def close(self) -> None:
        self.loop.run_until_complete(self.store.close())
        self.loop.close()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Loop, Engine]]:
    """One engine on the bundled knowledge base for the whole module (the import takes seconds)."""
    runner = _Loop(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    engine, curator = assemble(runner.store, BUNDLED_KB, EngineSettings())
    assert runner.loop.run_until_complete(curator.start()) == []
    yield runner, engine
    runner.close()


@fuzz(1200)
@given(text=HOSTILE_TEXT, attachment=st.one_of(st.none(), HOSTILE_TEXT))
def test_extraction_survives_hostile_text(text: str, attachment: str | None) -> None:
    attachments = (Attachment("log.txt", attachment),) if attachment is not None else ()
    ex = EXTRACTOR.extract(text, attachments)
    assert "\x00" not in ex.text
    assert all(isinstance(f.code, int) for f in ex.codes)


@fuzz(300)
@given(text=crash_json())
def test_crash_parsing_survives_deep_or_broken_json(text: str) -> None:
    info = parse_crash(text)
    assert info is None or info.summary_line().startswith("crash:")


@fuzz(800)
@given(text=HOSTILE_TEXT)
def test_search_on_the_bundled_kb_survives_hostile_text(bundled: tuple[_Loop, Engine], text: str) -> None:
    _, engine = bundled
    result = engine.search(text)
    confidences = [m.confidence for m in result.matches]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)


@fuzz(250)
@given(text=HOSTILE_TEXT, who=UNICODE_TEXT)
def test_store_keeps_hostile_text(bundled: tuple[_Loop, Engine], text: str, who: str) -> None:
    runner, _ = bundled
    store = runner.store
    record = QueryRecord("fuzz", who, who, who, "slash", text, "none", None, None, ())
    qid = runner.loop.run_until_complete(store.log_query(record))
    runner.loop.run_until_complete(store.add_gap(None, -1, text, qid))
    runner.loop.run_until_complete(store.add_feedback(qid, who, True))
    with sqlite3.connect(store.path) as db:
        row = db.execute("SELECT text, author FROM queries WHERE id = ?", (qid,)).fetchone()
    assert row == (storable(text[:QUERY_TEXT_LIMIT]), storable(who))
