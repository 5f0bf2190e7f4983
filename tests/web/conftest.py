"""The ``web`` fixture: a dashboard on the fixture knowledge base with a fake review queue."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store.sqlite import SQLiteStore

from ..core import Core
from .helpers import Web, open_web, settings_for


@pytest.fixture
async def web(core: Core, store: SQLiteStore) -> AsyncIterator[Web]:
    client, dash, review = await open_web(core, store, settings_for())
    yield Web(client, dash, review, store)
    await client.close()
