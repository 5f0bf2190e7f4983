"""``/kb history`` and ``/kb revert``: an entry's revisions, and making an old one current."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import actor_of
from adapters.discord.kb.group import KbGroup
from adapters.discord.kb.reports import report_embed
from adapters.discord.respond import Reply
from adapters.discord.state import BotState
from bot.reports import history_report


def register(kb: KbGroup) -> None:
    """Add the revision commands to ``/kb``."""
    state, ids = kb.state, kb.entry_ids()

    @kb.command(name="history", description="An entry's revisions: who, when, why")
    @app_commands.rename(entry_id="id")
    @app_commands.autocomplete(entry_id=ids)
    async def history(interaction: discord.Interaction[Any], entry_id: str) -> None:
        await state.respond(interaction, show_history(state, entry_id), private=True)

    @kb.command(name="revert", description="Make an old revision current again")
    @app_commands.rename(entry_id="id", rev="revision")
    @app_commands.autocomplete(entry_id=ids)
    async def revert(interaction: discord.Interaction[Any], entry_id: str, rev: app_commands.Range[int, 1]) -> None:
        await state.respond(interaction, revert_entry(state, interaction, entry_id, rev), private=True)


async def show_history(state: BotState, entry_id: str) -> Reply:
    """The revisions, newest first (the shared rows)."""
    report = history_report(entry_id, await state.engine.history(entry_id))
    return Reply(embeds=[report_embed(report)], ephemeral=True)


async def revert_entry(state: BotState, interaction: discord.Interaction[Any], entry_id: str, rev: int) -> Reply:
    """Give the entry the content of revision ``rev`` again, as a new revision."""
    new = await state.curator.revert(entry_id, rev, actor_of(interaction.user))
    return Reply(content=f"`{entry_id}` now has the content of revision {rev} (as revision {new.rev}).", ephemeral=True)
