"""The message menu "Save as knowledge entry": on a reply in a help thread, opens the entry form
prefilled with the thread's question (its first message) as the title and the reply as the body,
for an admin to edit and save. The reply's author is credited in the revision reason."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import actor_of
from adapters.discord.kb.entries import file_name, open_entry_form, problems_reply
from adapters.discord.kb.group import kb_admin
from adapters.discord.modals import split_entry_text
from adapters.discord.respond import Reply, error_reply, send, within
from adapters.discord.state import BotState
from bot.knowledge.entryfile import parse_entry_text, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.models import SupportBotError
from bot.review import ReviewQueue

NAME = "Save as knowledge entry"
NOT_A_REPLY = "Use this on a reply in a help thread (the thread's first message is taken as the question)."


def register(tree: app_commands.CommandTree[Any], state: BotState) -> None:
    """Add the "Save as knowledge entry" message menu to ``tree`` (admins only, checked in code)."""

    @tree.context_menu(name=NAME)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def save_as_entry(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        if await kb_admin(state, interaction):
            await open_from_reply(state, interaction, message)


async def thread_question(interaction: discord.Interaction[Any], reply: discord.Message) -> discord.Message:
    """The first message of the thread ``reply`` is in: a forum post's starter is in the thread,
    a thread started from a message has that message (with the thread's id) in the parent."""
    thread = reply.channel
    if not isinstance(thread, discord.Thread) or reply.id == thread.id:
        raise SupportBotError(NOT_A_REPLY)
    try:
        return await thread.fetch_message(thread.id)
    except discord.NotFound:
        parent: discord.PartialMessageable = interaction.client.get_partial_messageable(
            thread.parent_id, guild_id=interaction.guild_id
        )
        try:
            return await parent.fetch_message(thread.id)
        except discord.NotFound:
            raise SupportBotError("The thread's first message is gone, so there is no question to save.") from None


async def open_from_reply(state: BotState, interaction: discord.Interaction[Any], reply: discord.Message) -> None:
    """Open the entry form with the draft; saving it adds the entry, crediting the reply's author."""
    if not reply.content.strip():
        await send(interaction, error_reply("That reply has no text to save."))
        return
    queue = ReviewQueue(state.engine, state.curator)
    try:
        # A form must be the first response: the question has to be fetched within the budget.
        question = await within(thread_question(interaction, reply), state.settings.ack_after_seconds)
    except SupportBotError as exc:
        await send(interaction, error_reply(str(exc)))
        return
    draft, credit = await queue.draft_from_thread(question.content, reply.content, actor_of(reply.author))
    front, body = split_entry_text(render_entry(draft))

    async def save(submitted: discord.Interaction[Any], text: str, reason: str) -> Reply:
        try:
            entry = parse_entry_text(text, "submitted entry")
            why = f"{reason.strip()} ({credit})" if reason.strip() else credit
            rev = await state.curator.save_entry(entry, actor_of(submitted.user), why, create=True)
        except KnowledgeError as exc:
            return problems_reply(exc, text, file_name(draft.id))
        return Reply(content=f"Added `{entry.id}` (revision {rev.rev}), {credit}.", ephemeral=True)

    await open_entry_form(state, interaction, "Save as knowledge entry", front, body, save)
