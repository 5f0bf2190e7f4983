"""Auto-replies in help channels and forums, and answers to direct @mentions.

Rules, in the order they are checked (each skip is recorded with its reason):
- never to bots, webhooks or the bot itself, nor outside a guild;
- a direct @mention of the bot is an explicit ask and is always answered;
- only in channels where auto-replies are on (config or ``/supportbot channel``), including
  threads and forum posts under them;
- never to members with an excluded (staff) role;
- in a thread or forum post: only the original poster, at most one auto-reply per thread, and
  only to their first message or to one that adds an error code not seen in the thread before;
- at most one auto-reply per channel (or thread) per cooldown;
- only when the core says the answer is confident.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

import discord

from adapters.discord.access import actor_of, place_of, role_ids
from adapters.discord.answers import Answers
from adapters.discord.options import Options
from adapters.discord.render import no_pings
from bot.engine import Engine
from bot.models import Incoming, Mode

log = logging.getLogger(__name__)

V = TypeVar("V")
MAX_TRACKED = 10_000  # threads, cooldowns and decisions remembered (oldest forgotten first)


@dataclass
class ThreadState:
    replied: bool = False
    seen_op: bool = False
    codes: set[tuple[str | None, int]] = field(default_factory=set)


class Bounded(OrderedDict[int, V]):
    """A dict that forgets its oldest keys beyond ``MAX_TRACKED``."""

    def remember(self, key: int, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MAX_TRACKED:
            self.popitem(last=False)


class AutoReplies:
    """The message handler. All state is per instance and in memory (lost on restart)."""

    def __init__(self, engine: Engine, opts: Options, answers: Answers) -> None:
        self.engine = engine
        self.opts = opts
        self.answers = answers
        self.threads: Bounded[ThreadState] = Bounded()
        self.cooldown_until: Bounded[float] = Bounded()
        self.decisions: Bounded[str] = Bounded()
        self._decided = asyncio.Condition()

    # ------------------------------------------------------------ decisions (logs and tests)

    async def _decide(self, message: discord.Message, decision: str) -> None:
        log.debug("message %s in %s: %s", message.id, message.channel.id, decision)
        async with self._decided:
            self.decisions.remember(message.id, decision)
            self._decided.notify_all()

    async def wait_decision(self, message_id: int) -> str:
        """The decision taken on a message, once taken (callers bound the wait)."""
        async with self._decided:
            await self._decided.wait_for(lambda: message_id in self.decisions)
            return self.decisions[message_id]

    # ------------------------------------------------------------ the handler

    async def on_message(self, message: discord.Message, me: discord.abc.User | None) -> None:
        try:
            await self._decide(message, await self._handle(message, me))
        except Exception:
            log.exception("handling message %s failed", message.id)
            await self._decide(message, "error")

    async def _handle(self, message: discord.Message, me: discord.abc.User | None) -> str:
        if message.guild is None:
            return "skip: not in a guild"
        if me is not None and message.author.id == me.id:
            return "skip: own message"
        if message.author.bot or message.webhook_id is not None:
            return "skip: bot or webhook"
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return "skip: system message"
        if me is not None and me.id in message.raw_mentions:
            return await self._mentioned(message, me)
        channel = message.channel
        if isinstance(channel, discord.PartialMessageable):
            # A thread discord.py has not cached yet: ask Discord what it is.
            fetched = await message.guild.fetch_channel(channel.id)
            channel = fetched  # type: ignore[assignment]
        place = place_of(channel, message.guild.id)
        configured = place.channel.isdigit() and int(place.channel) in self.opts.help_channels
        settings = await self.engine.channel_settings(place.platform, place.scope, place.channel, configured=configured)
        if not settings.auto_reply:
            return "skip: auto-replies off here"
        if role_ids(message.author) & self.opts.excluded_roles:
            return "skip: excluded role"
        thread = channel if isinstance(channel, discord.Thread) else None
        state = self._thread_state(thread.id) if thread is not None else None
        if thread is not None and state is not None:
            if state.replied:
                return "skip: already answered in this thread"
            if message.author.id != thread.owner_id:
                return "skip: not the original poster"
        if self._cooling(channel.id):
            return "skip: cooldown"
        attachments, _ = await self.answers.attachments_of(list(message.attachments))
        if not message.content.strip() and not attachments:
            return "skip: nothing to read"
        if thread is not None and state is not None:
            first = not state.seen_op or message.id == thread.id
            codes = self.engine.error_codes(message.content, attachments)
            new_error = bool(codes - state.codes)
            state.seen_op = True
            state.codes |= codes
            if not (first or new_error):
                return "skip: not the first message and no new error"
        incoming = Incoming(message.content, Mode.AUTO, place, actor_of(message.author), attachments)
        answer = await self.engine.answer(incoming)
        if answer is None:
            return "silent: not confident"
        # Re-check after the await: another message in the same place may have been answered.
        if (state is not None and state.replied) or self._cooling(channel.id):
            return "skip: answered meanwhile"
        if state is not None:
            state.replied = True
        self.cooldown_until.remember(channel.id, time.monotonic() + self.opts.cooldown_seconds)
        reply = self.answers.reply_for(answer, asker_id=message.author.id)
        try:
            await message.reply(
                embeds=list(reply.embeds),
                view=reply.view or discord.utils.MISSING,
                allowed_mentions=no_pings(),
                mention_author=False,
            )
        except discord.Forbidden:
            log.warning("no permission to answer in channel %s (guild %s)", channel.id, message.guild.id)
            return "failed: no permission to post here"
        return "replied"

    async def _mentioned(self, message: discord.Message, me: discord.abc.User) -> str:
        """A direct @mention is an explicit ask: answered anywhere the bot can read and post."""
        text = message.content.replace(f"<@{me.id}>", " ").replace(f"<@!{me.id}>", " ").strip()
        attachments, _ = await self.answers.attachments_of(list(message.attachments))
        if not text and not attachments:
            return "skip: empty mention"
        place = place_of(message.channel, message.guild.id if message.guild else None)
        answer = await self.engine.answer(Incoming(text, Mode.MENTION, place, actor_of(message.author), attachments))
        if answer is None:
            return "silent: not confident"
        reply = self.answers.reply_for(answer)
        await message.reply(
            embeds=list(reply.embeds),
            view=reply.view or discord.utils.MISSING,
            allowed_mentions=no_pings(),
            mention_author=False,
        )
        return "replied to mention"

    # ------------------------------------------------------------ helpers

    def _thread_state(self, thread_id: int) -> ThreadState:
        state = self.threads.get(thread_id) or ThreadState()
        self.threads.remember(thread_id, state)
        return state

    def _cooling(self, channel_id: int) -> bool:
        return time.monotonic() < self.cooldown_until.get(channel_id, 0.0)
