"""Helpers for the Slack end-to-end tests: settings for the fake Slack, a bot in HTTP mode, a
hand-moved clock and a slow engine."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from adapters.slack.app import SlackBot
from bot.curator import Curator
from bot.engine import Engine
from bot.models import Answer, Incoming
from bot.settings import SlackSettings, WebSettings
from bot.weblinks import LoginLinks

from .fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack
from .payloads import SlackSender

HELP_CHANNEL = "CHELP"
ADMIN = "UADMIN"


class Clock:
    """A clock the tests move by hand, for cooldowns."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class GatedEngine:
    """The real engine, except that ``answer`` waits until the test opens the gate (a slow core)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def answer(self, incoming: Incoming) -> Answer | None:
        self.started.set()
        await self.release.wait()
        return await self._engine.answer(incoming)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def slack_settings(fake: FakeSlack, **overrides: Any) -> SlackSettings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(BOT_TOKEN),
        "app_token": SecretStr(APP_TOKEN),
        "signing_secret": SecretStr(SIGNING_SECRET),
        "api_base_url": fake.api_url,
        "mode": "http",
        "http_host": "127.0.0.1",
        "http_port": 3000,
        "help_channels": [HELP_CHANNEL],
        "admin_users": [ADMIN],
        "cooldown_seconds": 60.0,
        "max_file_bytes": 10_000,
        "kb_workspaces": [TEAM],
    }
    values.update(overrides)
    return SlackSettings(**values)


@dataclass
class HttpBot:
    bot: SlackBot
    sender: SlackSender
    fake: FakeSlack
    clock: Clock


async def start_http(fake: FakeSlack, engine: Any, curator: Curator, **overrides: Any) -> HttpBot:
    """A bot in HTTP mode on a free port."""
    clock = Clock()
    links = LoginLinks(engine.store, WebSettings())
    bot = SlackBot(slack_settings(fake, **overrides), engine, curator, clock=clock, links=links)
    port = await bot.serve_http("127.0.0.1", 0)
    return HttpBot(bot, SlackSender(f"http://127.0.0.1:{port}/slack/events", deadline=fake.deadline), fake, clock)
