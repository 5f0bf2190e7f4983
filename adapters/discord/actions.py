"""What the components under an answer do: feedback, "Not this?", "Show full answer" and
"Other matches". Implements :class:`adapters.discord.views.ComponentHandler`."""

from __future__ import annotations

import contextlib
from typing import Any

import discord

from adapters.discord.access import actor_of, is_admin
from adapters.discord.files import text_file
from adapters.discord.render import DESCRIPTION_MAX, entry_embed
from adapters.discord.respond import Reply, error_reply, send
from adapters.discord.state import BotState
from adapters.discord.views import answer_view
from bot.knowledge.entryfile import render_entry
from bot.models import NotFound

GONE = "That entry no longer exists."


class Actions:
    """The component handler of one bot; every reply is private."""

    def __init__(self, state: BotState) -> None:
        self.state = state

    async def on_feedback(self, interaction: discord.Interaction[Any], query_id: int, helpful: bool) -> None:
        """Helpful / Not helpful, stored with the query."""
        await self.state.respond(interaction, self._feedback(interaction, query_id, helpful), private=True)

    async def _feedback(self, interaction: discord.Interaction[Any], query_id: int, helpful: bool) -> Reply:
        await self.state.engine.feedback(query_id, actor_of(interaction.user), helpful)
        return Reply(content="Thanks, noted." if helpful else "Thanks; noted for the maintainers.", ephemeral=True)

    async def on_not_this(self, interaction: discord.Interaction[Any], asker_id: int, query_id: int) -> None:
        """The asker (or an admin) dismisses an auto-reply: it is deleted and counted as unhelpful."""
        if interaction.user.id != asker_id and not is_admin(interaction, self.state.settings.admin_roles):
            await send(interaction, error_reply("Only the person who asked (or a moderator) can dismiss this."))
            return
        await self.state.respond(interaction, self._dismiss(interaction, query_id), private=True)

    async def _dismiss(self, interaction: discord.Interaction[Any], query_id: int) -> Reply:
        await self.state.engine.feedback(query_id, actor_of(interaction.user), False, not_this=True)
        if interaction.message is not None:
            with contextlib.suppress(discord.NotFound):  # already gone
                await interaction.message.delete()
        return Reply(content="Removed. Thanks: this is counted as a miss.", ephemeral=True)

    async def on_full(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        """The whole entry, privately: as an embed when it fits, else as its Markdown file."""
        await self.state.respond(interaction, self._full(entry_id), private=True)

    async def _full(self, entry_id: str) -> Reply:
        try:
            entry = await self.state.engine.get_entry(entry_id)
        except NotFound:
            return error_reply(GONE)
        embed, trimmed = entry_embed(
            entry, hosts=self.state.link_hosts, preview=DESCRIPTION_MAX - len(entry.summary) - 100
        )
        if not trimmed:
            return Reply(embeds=[embed], ephemeral=True)
        return Reply(
            content="The full answer is attached.",
            embeds=[embed],
            files=[text_file(f"{entry.id.replace(':', '_')}.md", render_entry(entry))],
            ephemeral=True,
        )

    async def on_other(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        """A pick from "Other matches": that entry, privately."""
        await self.state.respond(interaction, self._other(entry_id), private=True)

    async def _other(self, entry_id: str) -> Reply:
        try:
            entry = await self.state.engine.get_entry(entry_id)
        except NotFound:
            return error_reply(GONE)
        embed, trimmed = entry_embed(entry, hosts=self.state.link_hosts)
        return Reply(
            embeds=[embed], view=answer_view(None, full_entry_id=entry.id if trimmed else None), ephemeral=True
        )
