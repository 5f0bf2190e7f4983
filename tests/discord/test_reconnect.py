"""Connections that come back: Discord down at start, then up; a gateway connection dropped
mid-run; /healthz reporting it all; a rejected token never retried; no voice warnings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import discord
import pytest

from adapters.discord import DiscordAdapter
from adapters.discord.app import quiet_library_logs
from adapters.http import HttpServer
from bot.curator import Curator
from bot.engine import Engine
from bot.lifecycle import Backoff
from bot.models import SupportBotError
from tests.core import eventually, free_port, health_saying, http_get, reconnects
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import TOKEN, Cast, SlowEngine, StartBot, answered, discord_settings, with_discord

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."


@contextlib.asynccontextmanager
async def watched(adapter: DiscordAdapter) -> AsyncIterator[str]:
    """The adapter running with fast retries, its health served; yields the /healthz URL."""
    adapter.backoff = Backoff(base=0.05, cap=0.2)
    server = HttpServer("127.0.0.1", 0)
    server.add_check("discord", adapter.health)
    async with server:
        task = asyncio.create_task(adapter.run())
        try:
            yield f"http://127.0.0.1:{server.port}/healthz"
        finally:
            await adapter.shutdown(1.0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_down_at_start_then_up_then_dropped(
    cast: Cast, engine: Engine, curator: Curator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)  # as in a fresh process
    fake = FakeDiscord(cast.world, TOKEN)
    fake.port = free_port()  # nothing listens there yet: Discord is down
    adapter = DiscordAdapter(discord_settings(fake, cast), engine, curator)
    async with watched(adapter) as health:
        status, text = await eventually(lambda: health_saying(health, "cannot be reached"))
        assert status == 503 and text.startswith("discord: cannot be reached (ClientConnectorError")
        retries = [r for r in caplog.records if "Discord cannot be reached" in r.getMessage()]
        assert retries and all(r.exc_info is None for r in retries)  # one line each, no traceback

        await fake.start(fake.port)
        try:
            await eventually(lambda: http_get(health) if adapter.link.ok else asyncio.sleep(0))
            assert await http_get(health) == (200, "ok\n")
            assert reconnects(engine.metrics, "discord") == 0  # the first connection is not a reconnection

            await fake.sessions[0].ws.close()  # the gateway drops the connection
            await eventually(lambda: asyncio.sleep(0, reconnects(engine.metrics, "discord") == 1))
            await eventually(lambda: asyncio.sleep(0, adapter.link.ok))
            assert await http_get(health) == (200, "ok\n")
            assert len(fake.identifies) == 2
            inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
            assert (await answered(fake, inter))[0].payload["embeds"]
        finally:
            await fake.close()
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "voice will NOT be supported" in m]
    assert "discord: reconnected" in messages


def test_library_reconnect_logs_are_one_line(caplog: pytest.LogCaptureFixture) -> None:
    # discord.py logs a reconnection after a network error with log.exception (a traceback).
    quiet_library_logs()
    try:
        raise ConnectionResetError(104, "Connection reset by peer")
    except ConnectionResetError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 1.5)
    [record] = caplog.records
    assert record.exc_info is None
    assert (
        record.getMessage()
        == "Attempting a reconnect in 1.50s after ConnectionResetError: [Errno 104] Connection reset by peer"
    )


async def test_a_rejected_token_is_not_retried(fake: FakeDiscord, cast: Cast, engine: Engine, curator: Curator) -> None:
    adapter = DiscordAdapter(with_discord(discord_settings(fake, cast), token="wrong"), engine, curator)
    adapter.backoff = Backoff(base=0.05, cap=0.2)
    with pytest.raises(SupportBotError, match=r"Discord rejected the token \(401\)"):
        await asyncio.wait_for(adapter.run(), 10)
    assert [r for r in fake.requests if r[2] == 401] == [("GET", "/users/@me", 401)]


async def test_shutdown_finishes_answers_in_flight_and_refuses_new_ones(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    bot = await start_bot(SlowEngine(engine, 1.0))
    slow = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    await eventually(lambda: asyncio.sleep(0, bot.adapter.state.inflight.count == 1))
    stopping = asyncio.create_task(bot.adapter.shutdown(10.0))
    late = await fake.slash("ask", cast.bob, cast.help, {"question": OFFLINE})
    [refused] = await answered(fake, late)
    assert "restarting" in refused.text
    await stopping
    [msg] = await answered(fake, slow)
    assert msg.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    assert bot.adapter.client.is_closed()
    assert await bot.adapter.health() == (False, "client closed")
