"""Connections that come back: Slack down at start, then up; the Socket Mode connection dropped
mid-run; /healthz reporting it; rejected tokens named and never retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from adapters.http import HttpServer
from adapters.slack.app import SlackBot
from bot.curator import Curator
from bot.engine import Engine
from bot.lifecycle import Backoff
from bot.models import SupportBotError
from tests.core import eventually, free_port, health_saying, http_get, reconnects

from .fake_slack import FakeSlack
from .helpers import slack_settings
from .payloads import event_payload, mention_event

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'


@contextlib.asynccontextmanager
async def watched(bot: SlackBot) -> AsyncIterator[str]:
    """The bot running with fast retries, its health served; yields the /healthz URL."""
    bot.retry.backoff = Backoff(base=0.05, cap=0.2)
    server = HttpServer("127.0.0.1", 0)
    server.add_check("slack", bot.health)
    async with server:
        task = asyncio.create_task(bot.run())
        try:
            yield f"http://127.0.0.1:{server.port}/healthz"
        finally:
            await bot.shutdown(1.0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_socket_mode_down_at_start_then_up_then_dropped(
    engine: Engine, curator: Curator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = FakeSlack()
    fake.port = free_port()  # nothing listens there yet: Slack is down
    bot = SlackBot(slack_settings(fake, mode="socket"), engine, curator)
    async with watched(bot) as health:
        status, text = await eventually(lambda: health_saying(health, "cannot be reached"))
        assert status == 503 and text.startswith("slack: cannot be reached (ClientConnectorError")
        retries = [r for r in caplog.records if "Slack cannot be reached" in r.getMessage()]
        assert retries and all(r.exc_info is None for r in retries)

        await fake.start(fake.port)
        try:
            await asyncio.wait_for(fake.socket.connected.wait(), 10)
            await eventually(lambda: asyncio.sleep(0, bot.link.ok))
            assert await http_get(health) == (200, "ok\n")
            assert reconnects(engine.metrics, "slack") == 0

            fake.socket.connected.clear()
            assert fake.socket.ws is not None
            await fake.socket.ws.close()  # Slack drops the connection (it does, every few hours)
            await asyncio.wait_for(fake.socket.connected.wait(), 10)
            await eventually(lambda: asyncio.sleep(0, reconnects(engine.metrics, "slack") == 1))
            assert await http_get(health) == (200, "ok\n")
            assert fake.socket.connections == 2
            await fake.envelope("events_api", event_payload(mention_event(OFFLINE, channel="C7")))
            [post] = await fake.wait_for(lambda: fake.api("chat.postMessage"))
            assert post.args["channel"] == "C7"
        finally:
            await fake.close()
    assert "slack: reconnected" in [r.getMessage() for r in caplog.records]


async def test_a_rejected_app_token_is_named_and_not_retried(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    bot = SlackBot(slack_settings(fake, mode="socket", app_token=SecretStr("xapp-wrong")), engine, curator)
    bot.retry.backoff = Backoff(base=0.05, cap=0.2)
    try:
        with pytest.raises(SupportBotError, match=r"Slack rejected the app token \(invalid_auth\).*APP_TOKEN"):
            await asyncio.wait_for(bot.run(), 10)
    finally:
        await bot.close()
    assert len(fake.api("apps.connections.open")) == 1


async def test_a_rejected_bot_token_is_named_and_not_retried(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    fake.valid_bot_tokens = {"xoxb-other"}
    bot = SlackBot(slack_settings(fake, mode="socket"), engine, curator)
    try:
        with pytest.raises(SupportBotError, match=r"Slack rejected the bot token \(invalid_auth\)"):
            await asyncio.wait_for(bot.run(), 10)
    finally:
        await bot.close()
    assert len(fake.api("auth.test")) == 1
