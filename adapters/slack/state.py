"""Per-app state: the bundle of things every listener needs.

Nothing here is module-level: each :class:`adapters.slack.app.SlackBot` builds its own, so two
apps in one process (or one test after another) never share cooldowns or answered threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters.slack.files import FileFetcher
from bot.chat import AutoReplyGate, RepeatLimiter
from bot.curator import Curator
from bot.engine import Engine
from bot.settings import SlackSettings
from bot.weblinks import LoginLinks


@dataclass
class BotState:
    """What listeners share: the core (``engine`` reads, ``curator`` writes), the settings,
    the auto-reply gate, the file fetcher and the per-user repeat limiter."""

    engine: Engine
    curator: Curator
    settings: SlackSettings
    gate: AutoReplyGate
    files: FileFetcher
    log: logging.Logger
    limiter: RepeatLimiter
    links: LoginLinks | None = None  # sign-in links to the web dashboard (/kb dashboard)

    @property
    def link_hosts(self) -> frozenset[str]:
        """The hosts (knowledge/hosts.txt) the bot's answers may link to."""
        return self.curator.hosts

    def configured_channel(self, channel: str) -> bool:
        """True when the config lists the channel as a help channel (auto-replies on by default)."""
        return channel in self.settings.help_channels
