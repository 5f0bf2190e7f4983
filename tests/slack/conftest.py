"""Fixtures for the Slack end-to-end tests: the fake Slack and a bot in HTTP mode."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.curator import Curator
from bot.engine import Engine

from .fake_slack import FakeSlack
from .helpers import HttpBot, start_http


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = FakeSlack()
    await f.start()
    yield f
    await f.close()


@pytest.fixture
async def http(fake: FakeSlack, engine: Engine, curator: Curator) -> AsyncIterator[HttpBot]:
    """A bot in HTTP mode over the real engine, listening on a free port."""
    running = await start_http(fake, engine, curator)
    yield running
    await running.bot.close()
