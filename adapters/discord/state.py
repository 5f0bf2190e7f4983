"""Per-bot state: the bundle of things every handler needs, built once from the settings.

Nothing here is module-level: each :class:`adapters.discord.app.DiscordAdapter` builds its own,
so two bots in one process (or one test after another) never share cooldowns or answered threads.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import discord

from adapters.discord.files import read_text_attachments
from adapters.discord.respond import Reply, error_reply, respond_in_time, send
from bot.chat import AutoReplyGate, RepeatLimiter, TextFiles
from bot.curator import Curator
from bot.engine import Engine
from bot.lifecycle import InFlight
from bot.models import Attachment
from bot.settings import DiscordSettings
from bot.weblinks import LoginLinks

RESTARTING = "The bot is restarting; ask again in a minute."


@dataclass
class BotState:
    """What handlers share: the core (``engine`` reads, ``curator`` writes), the settings as
    they are, the auto-reply gate, the text-file policy and the hosts files are fetched from."""

    engine: Engine
    curator: Curator
    settings: DiscordSettings
    gate: AutoReplyGate
    files: TextFiles
    hosts: frozenset[str]
    limiter: RepeatLimiter
    inflight: InFlight = field(default_factory=InFlight)
    links: LoginLinks | None = None  # sign-in links to the web dashboard (/kb dashboard)

    @property
    def link_hosts(self) -> frozenset[str]:
        """The hosts (knowledge/hosts.txt) the bot's answers may link to."""
        return self.curator.hosts

    def configured_channel(self, channel_id: int) -> bool:
        """True when the config lists the channel as a help channel (auto-replies on by default)."""
        return channel_id in self.settings.help_channels

    async def attachments(self, files: Sequence[discord.Attachment]) -> tuple[tuple[Attachment, ...], list[str]]:
        """The text files shared with a question, and notes on those left out."""
        return await read_text_attachments(files, self.files, self.hosts)

    async def respond(self, interaction: discord.Interaction[Any], work: Awaitable[Reply], *, private: bool) -> None:
        """Send ``work``'s reply to the interaction within Discord's deadline (deferring if slow).

        While the bot shuts down, new work is refused with a note instead of being cut off later.
        """
        if self.inflight.closing:
            if inspect.iscoroutine(work):
                work.close()
            await send(interaction, error_reply(RESTARTING))
            return
        with self.inflight.track():
            await respond_in_time(interaction, work, budget=self.settings.ack_after_seconds, ephemeral=private)


def build_state(
    settings: DiscordSettings, engine: Engine, curator: Curator, clock: Callable[[], float] = time.time
) -> BotState:
    """The state for one bot from the ``[discord]`` settings."""
    # A deployment behind a REST proxy (or a local fake) serves attachments from that host too.
    hosts = {h.lower() for h in settings.attachment_hosts} | {urlsplit(settings.api_base_url).hostname or ""}
    return BotState(
        engine,
        curator,
        settings,
        AutoReplyGate(engine.store, "discord", settings.cooldown_seconds, clock),
        TextFiles(settings.max_attachment_bytes),
        frozenset(h for h in hosts if h),
        RepeatLimiter(clock=clock),
    )
