"""Fixtures: a fake Discord with two guilds, settings pointing at it, and bots to start and stop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord.gateway
import discord.http
import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.settings import Settings
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import (
    TOKEN,
    Cast,
    Running,
    StartBot,
    discord_settings,
    make_cast,
    start_adapter,
    with_discord,
)


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
async def fake(cast: Cast) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(cast.world, TOKEN)
    await server.start()
    yield server
    await server.close()
    assert not server.violations, server.violations


@pytest.fixture
def settings(fake: FakeDiscord, cast: Cast) -> Settings:
    return discord_settings(fake, cast)


@pytest.fixture
async def start_bot(fake: FakeDiscord, settings: Settings, curator: Curator) -> AsyncIterator[StartBot]:
    """Start a bot (a fresh adapter each call; keyword arguments change ``[discord]`` settings)
    and wait until it is ready; all stop at teardown."""
    running: list[Running] = []

    async def start(engine: Any, shards: int = 1, **changes: Any) -> Running:
        r = await start_adapter(fake, with_discord(settings, **changes), engine, curator, sessions=shards)
        running.append(r)
        return r

    yield start
    for r in running:
        await r.stop()
    # The adapter restores discord.py's endpoints when it stops.
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"


@pytest.fixture
async def bot(start_bot: StartBot, engine: Engine) -> Running:
    return await start_bot(engine)
