"""Shared fixtures: a real engine over real SQLite on a temp file, with a tiny knowledge base."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.settings import EngineSettings
from bot.store.sqlite import SQLiteStore

FIXTURE_KB = Path(__file__).parent / "fixtures" / "knowledge"
BUNDLED_KB = Path(__file__).parent.parent / "knowledge"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own settings or proxies."""
    for key in list(os.environ):
        if key.startswith("SUPPORTBOT_") or key.lower() in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}:
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "test.db")
    await s.open()
    yield s
    await s.close()


@pytest.fixture
async def engine(store: SQLiteStore) -> Engine:
    """An engine on the small fixture knowledge base (fast; used by adapter tests)."""
    e = Engine(store, FIXTURE_KB, EngineSettings())
    warnings = await e.start()
    assert not warnings, warnings
    return e


@pytest.fixture(scope="session")
def bundled_engine_settings() -> EngineSettings:
    return EngineSettings()
