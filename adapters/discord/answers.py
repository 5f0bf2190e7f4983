"""Answering: /ask, "Find answer", and the components under every answer."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import discord

from adapters.discord.access import actor_of, is_admin, place_of
from adapters.discord.attachments import read_text_attachments, text_file
from adapters.discord.options import Options
from adapters.discord.render import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    NOTHING_TEXT,
    answer_embeds,
    clip,
    entry_embed,
    no_pings,
    quiet,
    runner_ups,
)
from adapters.discord.respond import Reply, error_reply, respond_in_time, send
from adapters.discord.views import answer_view
from bot.engine import Engine
from bot.knowledge.entryfile import render_entry
from bot.models import Answer, Attachment, Incoming, Mode, NotFound, Outcome

log = logging.getLogger(__name__)


class Answers:
    """Turns interactions into the core's requests and the core's answers into replies.

    Also the :class:`~adapters.discord.views.ComponentHandler` for the answer components.
    """

    def __init__(self, engine: Engine, opts: Options) -> None:
        self.engine = engine
        self.opts = opts

    # ------------------------------------------------------------ rendering

    def reply_for(self, answer: Answer, *, asker_id: int | None = None, ephemeral: bool = False) -> Reply:
        """Embeds and components for an answer; ``asker_id`` adds "Not this?" (auto-replies)."""
        embeds, trimmed = answer_embeds(answer)
        view = answer_view(
            answer.query_id,
            others=runner_ups(answer),
            full_entry_id=trimmed.id if trimmed is not None else None,
            asker_id=asker_id,
        )
        return Reply(embeds=embeds, view=view, ephemeral=ephemeral)

    async def attachments_of(self, files: list[discord.Attachment]) -> tuple[tuple[Attachment, ...], list[str]]:
        return await read_text_attachments(files, self.opts.max_attachment_bytes, self.opts.attachment_hosts)

    # ------------------------------------------------------------ /ask

    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: str,
        private: bool,
        log_file: discord.Attachment | None,
    ) -> None:
        """``/ask``: the best answer, or suggestions, or an honest "nothing matched"."""

        async def work() -> Reply:
            attachments, skipped = await self.attachments_of([log_file] if log_file is not None else [])
            incoming = Incoming(
                question,
                Mode.SLASH,
                place_of(interaction.channel, interaction.guild_id),
                actor_of(interaction.user),
                attachments,
            )
            answer = await self.engine.answer(incoming)
            if answer is None:  # the core answers every explicit ask; be safe anyway
                return error_reply(NOTHING_TEXT)
            reply = self.reply_for(answer, ephemeral=private)
            # Echo the question: the embed alone does not say what was asked.
            reply.content = clip("> " + quiet(" ".join(question.split())), 300)
            if skipped:
                reply.content = clip(reply.content + "\n" + "\n".join(skipped), CONTENT_MAX)
            return reply

        await respond_in_time(interaction, work, budget=self.opts.ack_after_seconds, ephemeral=private)

    # ------------------------------------------------------------ "Find answer"

    async def find_answer(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """Message context menu: answer someone's message with a reply to it.

        The person who used the menu gets a private note; the answer itself is a public reply
        to the message, or a private one when nothing matched or the bot may not post there.
        """

        async def work() -> Reply:
            attachments, skipped = await self.attachments_of(list(message.attachments))
            if not message.content.strip() and not attachments:
                return error_reply("That message has no text or text attachment to answer." + _skipped(skipped))
            incoming = Incoming(
                message.content,
                Mode.CONTEXT,
                place_of(message.channel, interaction.guild_id),
                actor_of(interaction.user),
                attachments,
            )
            answer = await self.engine.answer(incoming)
            if answer is None:
                return error_reply(NOTHING_TEXT)
            reply = self.reply_for(answer, ephemeral=True)
            if answer.outcome is Outcome.NOTHING:
                return reply
            try:
                sent = await message.reply(
                    embeds=list(reply.embeds),
                    view=reply.view or discord.utils.MISSING,
                    allowed_mentions=no_pings(),
                    mention_author=False,
                )
            except discord.HTTPException as exc:
                why = (
                    "I may not post in this channel"
                    if isinstance(exc, discord.Forbidden)
                    else "I could not reply there"
                )
                reply.content = f"{why}, so here is the answer just for you."
                return reply
            return Reply(content=f"Answered: {sent.jump_url}" + _skipped(skipped), ephemeral=True)

        await respond_in_time(interaction, work, budget=self.opts.ack_after_seconds, ephemeral=True)

    # ------------------------------------------------------------ components

    async def on_feedback(self, interaction: discord.Interaction[Any], query_id: int, helpful: bool) -> None:
        async def work() -> Reply:
            await self.engine.feedback(query_id, actor_of(interaction.user), helpful)
            return Reply(content="Thanks, noted." if helpful else "Thanks; noted for the maintainers.", ephemeral=True)

        await respond_in_time(interaction, work, budget=self.opts.ack_after_seconds, ephemeral=True)

    async def on_not_this(self, interaction: discord.Interaction[Any], asker_id: int, query_id: int) -> None:
        """The asker (or an admin) dismisses an auto-reply: it is deleted and counted as unhelpful."""
        if interaction.user.id != asker_id and not is_admin(interaction, self.opts.admin_roles):
            await send(interaction, error_reply("Only the person who asked (or a moderator) can dismiss this."))
            return

        async def work() -> Reply:
            await self.engine.feedback(query_id, actor_of(interaction.user), False)
            if interaction.message is not None:
                with contextlib.suppress(discord.NotFound):  # already gone
                    await interaction.message.delete()
            return Reply(content="Removed. Thanks: this is counted as a miss.", ephemeral=True)

        await respond_in_time(interaction, work, budget=self.opts.ack_after_seconds, ephemeral=True)

    async def on_full(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        """The whole entry, privately: as an embed when it fits, else as its Markdown file."""

        async def work() -> Reply:
            try:
                entry = await self.engine.get_entry(entry_id)
            except NotFound:
                return error_reply("That entry no longer exists.")
            embed, trimmed = entry_embed(entry, preview=DESCRIPTION_MAX - len(entry.summary) - 100)
            if not trimmed:
                return Reply(embeds=[embed], ephemeral=True)
            return Reply(
                content="The full answer is attached.",
                embeds=[embed],
                files=[text_file(f"{entry.id.replace(':', '_')}.md", render_entry(entry))],
                ephemeral=True,
            )

        await respond_in_time(interaction, work, budget=self.opts.ack_after_seconds, ephemeral=True)

    async def on_other(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        """A pick from "Other matches": that entry, privately."""

        async def work() -> Reply:
            try:
                entry = await self.engine.get_entry(entry_id)
            except NotFound:
                return error_reply("That entry no longer exists.")
            embed, trimmed = entry_embed(entry)
            view = answer_view(None, full_entry_id=entry.id if trimmed else None)
            return Reply(embeds=[embed], view=view, ephemeral=True)

        await respond_in_time(interaction, work, budget=self.opts.ack_after_seconds, ephemeral=True)


def _skipped(notes: list[str]) -> str:
    return ("\n" + "\n".join(notes)) if notes else ""
