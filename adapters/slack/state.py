"""Per-app state: the auto-reply gate and the bundle of things every listener needs.

Nothing here is module-level: each :class:`adapters.slack.app.SlackBot` builds its own, so two
apps in one process (or one test after another) never share cooldowns or answered threads.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from adapters.slack.files import FileFetcher
from bot.engine import Engine
from bot.settings import SlackSettings

PLATFORM = "slack"


def actor(user_id: str) -> str:
    """The actor/author string the core records for a Slack user."""
    return f"{PLATFORM}:{user_id}"


class AutoReplyGate:
    """Decides whether an auto-reply may be posted: once per thread, and at most one per
    channel per cooldown. All checks are synchronous, so claiming cannot race in asyncio."""

    def __init__(self, cooldown_seconds: float, clock: Callable[[], float] = time.monotonic, memory: int = 10_000):
        self.cooldown = cooldown_seconds
        self.clock = clock
        self.memory = memory
        self._answered: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._last_reply: dict[str, float] = {}

    def answered(self, channel: str, thread: str) -> bool:
        return (channel, thread) in self._answered

    def cooling(self, channel: str) -> bool:
        last = self._last_reply.get(channel)
        return last is not None and self.clock() - last < self.cooldown

    def mark(self, channel: str, thread: str) -> None:
        """Remember that a thread got an answer (any mode), so auto-replies leave it alone."""
        self._answered[(channel, thread)] = None
        self._answered.move_to_end((channel, thread))
        while len(self._answered) > self.memory:
            self._answered.popitem(last=False)

    def claim(self, channel: str, thread: str) -> bool:
        """Take the right to auto-reply in this thread now; False when answered or cooling."""
        if self.answered(channel, thread) or self.cooling(channel):
            return False
        self.mark(channel, thread)
        self._last_reply[channel] = self.clock()
        return True


@dataclass
class BotState:
    """What listeners share: the core, the settings, the gate and the file fetcher."""

    engine: Engine
    settings: SlackSettings
    gate: AutoReplyGate
    files: FileFetcher
    log: logging.Logger

    def configured_channel(self, channel: str) -> bool:
        """True when the config lists the channel as a help channel (auto-replies on by default)."""
        return channel in self.settings.help_channels
