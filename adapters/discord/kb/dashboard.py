"""``/kb dashboard``: a one-time sign-in link to the web dashboard, sent privately."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.access import actor_of
from adapters.discord.kb.group import KbGroup
from adapters.discord.respond import Reply
from adapters.discord.state import BotState
from bot.reports import dashboard_link_text


def register(kb: KbGroup) -> None:
    """Add ``/kb dashboard`` (admins only, like every ``/kb`` command)."""
    state = kb.state

    @kb.command(name="dashboard", description="A private one-time link to the web dashboard")
    async def dashboard(interaction: discord.Interaction[Any]) -> None:
        await state.respond(interaction, dashboard_link(state, interaction), private=True)


async def dashboard_link(state: BotState, interaction: discord.Interaction[Any]) -> Reply:
    """Only the admin who asked sees the link (ephemeral)."""
    if state.links is None:
        return Reply(content=dashboard_link_text(None, 0), ephemeral=True)
    link = await state.links.issue(actor_of(interaction.user))
    return Reply(content=dashboard_link_text(link, state.links.minutes), ephemeral=True)
