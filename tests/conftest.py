"""Shared fixtures: a real engine over real SQLite on a temp file, with a tiny knowledge base."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, Core, start_core


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
async def core(store: SQLiteStore) -> Core:
    """An engine and its curator on the small fixture knowledge base (fast; used by adapter tests)."""
    return await start_core(store)


@pytest.fixture
def engine(core: Core) -> Engine:
    return core.engine


@pytest.fixture
def curator(core: Core) -> Curator:
    return core.curator


@pytest.fixture
async def bundled_core(tmp_path: Path) -> AsyncIterator[Core]:
    """An engine and curator on the bundled knowledge base, in a database of their own."""
    s = SQLiteStore(tmp_path / "bundled.db")
    await s.open()
    yield await start_core(s, BUNDLED_KB)
    await s.close()
