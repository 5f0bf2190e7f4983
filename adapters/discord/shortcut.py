"""The message menu "Find answer": answers someone's message with a reply to it.

The person who used the menu gets a private note; the answer itself is a public reply to the
message, or a private one when nothing matched or the bot may not post there.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import place_of
from adapters.discord.answering import ask, reply_for, with_notes
from adapters.discord.markup import plain
from adapters.discord.respond import Reply, error_reply, reply_to
from adapters.discord.state import BotState
from bot.chat import NOTHING_MATCHED
from bot.models import Mode, Outcome

NO_TEXT = "That message has no text or text attachment to answer."


def register(tree: app_commands.CommandTree[Any], state: BotState) -> None:
    """Add the "Find answer" message menu to ``tree``."""

    @tree.context_menu(name="Find answer")
    async def find_answer(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        await state.respond(interaction, answer_message(state, interaction, message), private=True)


async def answer_message(state: BotState, interaction: discord.Interaction[Any], message: discord.Message) -> Reply:
    """The reply to the member who used the menu, after answering the message if it can."""
    attachments, notes = await state.attachments(message.attachments)
    notes = [plain(n, state.link_hosts) for n in notes]  # they name members' files
    if not message.content.strip() and not attachments:
        return error_reply(with_notes(NO_TEXT, notes))
    place = place_of(message.channel, interaction.guild_id)
    answer = await ask(state, message.content, Mode.CONTEXT, place, interaction.user, attachments)
    if answer is None:
        return error_reply(NOTHING_MATCHED)
    reply = reply_for(answer, hosts=state.link_hosts, ephemeral=True)
    if answer.outcome is Outcome.NOTHING:
        return reply
    try:
        sent = await reply_to(message, reply)
    except discord.HTTPException as exc:
        why = "I may not post in this channel" if isinstance(exc, discord.Forbidden) else "I could not reply there"
        reply.content = f"{why}, so here is the answer just for you."
        return reply
    return Reply(content=with_notes(f"Answered: {sent.jump_url}", notes), ephemeral=True)
