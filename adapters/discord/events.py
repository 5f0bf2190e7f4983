"""Auto-replies in help channels and forums, and answers to direct @mentions.

Rules, in the order they are checked (each skip is recorded with its reason):
- never to bots, webhooks or the bot itself, nor outside a guild;
- a direct @mention of the bot is an explicit ask and is always answered;
- only in channels where auto-replies are on (config or ``/supportbot channel``), including
  threads and forum posts under them;
- never to members with an excluded (staff) role;
- in a thread or forum post: only the original poster, at most one auto-reply per thread, and
  only to their first message or to one that adds an error code not seen in the thread before;
- at most one auto-reply per channel (or thread) per cooldown (:class:`bot.chat.AutoReplyGate`);
- only when the core says the answer is confident.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

import discord

from adapters.discord.access import place_of, role_ids
from adapters.discord.answering import ask, reply_for
from adapters.discord.render import CONTENT_MAX
from adapters.discord.respond import Reply, reply_to
from adapters.discord.state import BotState
from bot.chat import MEMORY
from bot.models import Mode, Place, SupportBotError

log = logging.getLogger(__name__)

V = TypeVar("V")


@dataclass
class ThreadState:
    """What the thread rule needs: whether the original poster spoke yet, and the codes seen."""

    seen_op: bool = False
    codes: set[tuple[str | None, int]] = field(default_factory=set)


class Bounded(OrderedDict[int, V]):
    """A dict that forgets its oldest keys beyond :data:`bot.chat.MEMORY`."""

    def remember(self, key: int, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MEMORY:
            self.popitem(last=False)


class AutoReplies:
    """The message handler. Thread state and decisions are per instance and in memory."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self.threads: Bounded[ThreadState] = Bounded()
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
        """Decide on one message (and answer it when the rules allow); never raises."""
        if self.state.inflight.closing:
            await self._decide(message, "skip: shutting down")
            return
        with self.state.inflight.track():
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
            channel = await message.guild.fetch_channel(channel.id)  # type: ignore[assignment]
        return await self._auto_reply(message, channel, place_of(channel, message.guild.id))

    async def _auto_reply(self, message: discord.Message, channel: discord.abc.Messageable, place: Place) -> str:
        configured = place.channel.isdigit() and self.state.configured_channel(int(place.channel))
        settings = await self.state.engine.channel_settings(
            place.platform, place.scope, place.channel, configured=configured
        )
        if not settings.auto_reply:
            return "skip: auto-replies off here"
        if role_ids(message.author) & set(self.state.settings.excluded_roles):
            return "skip: excluded role"
        thread = channel if isinstance(channel, discord.Thread) else None
        # The gate's channel is the thread itself in threads and forum posts (a cooldown each),
        # and its "thread" is the message in a plain channel (each message is its own question).
        key, topic = str(getattr(channel, "id", "")), str(thread.id if thread is not None else message.id)
        if thread is not None:
            if await self.state.gate.answered(key, topic):
                return "skip: already answered in this thread"
            if message.author.id != thread.owner_id:
                return "skip: not the original poster"
        if await self.state.gate.cooling(key):
            return "skip: cooldown"
        attachments, _ = await self.state.attachments(message.attachments)
        text = message.content
        if thread is not None and message.id == thread.id and thread.name:
            # A forum post's starter message shares the post's id, and its title is often the
            # question itself ("-1009 on hotel Wi-Fi"): read the two together.
            text = f"{thread.name}\n{text}"
        if not text.strip() and not attachments:
            return "skip: nothing to read"
        codes = await self.state.engine.codes_in(text, attachments) if thread is not None else set()
        if thread is not None and not self._worth_answering(thread, message, codes):
            return "skip: not the first message and no new error"
        answer = await ask(self.state, text, Mode.AUTO, place, message.author, attachments)
        if answer is None:
            return "silent: not confident"
        # Claimed after the await: another message in the same place may have been answered.
        if not await self.state.gate.claim(key, topic):
            return "skip: answered meanwhile"
        try:
            await reply_to(message, reply_for(answer, hosts=self.state.link_hosts, asker_id=message.author.id))
        except discord.Forbidden:
            log.warning("no permission to answer in channel %s (guild %s)", key, place.scope)
            return "failed: no permission to post here"
        return "replied"

    def _worth_answering(
        self, thread: discord.Thread, message: discord.Message, codes: set[tuple[str | None, int]]
    ) -> bool:
        """In a thread: the original poster's first message, or one that adds a new error code."""
        state = self.threads.get(thread.id) or ThreadState()
        self.threads.remember(thread.id, state)
        first = not state.seen_op or message.id == thread.id
        new_error = bool(codes - state.codes)
        state.seen_op = True
        state.codes |= codes
        return first or new_error

    async def _mentioned(self, message: discord.Message, me: discord.abc.User) -> str:
        """A direct @mention is an explicit ask: answered anywhere the bot can read and post."""
        text = message.content.replace(f"<@{me.id}>", " ").replace(f"<@!{me.id}>", " ").strip()
        attachments, _ = await self.state.attachments(message.attachments)
        if not text and not attachments:
            return "skip: empty mention"
        place = place_of(message.channel, message.guild.id if message.guild else None)
        try:
            answer = await ask(self.state, text, Mode.MENTION, place, message.author, attachments)
        except SupportBotError as exc:  # a repeat, or too much text: say so, no traceback
            await reply_to(message, Reply(content=str(exc)[:CONTENT_MAX]))
            return "refused"
        if answer is None:
            return "silent: not confident"
        await reply_to(message, reply_for(answer, hosts=self.state.link_hosts))
        return "replied to mention"
