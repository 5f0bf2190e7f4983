"""``/kb why``, ``/kb gaps`` and ``/kb stats``: the shared reports (:mod:`bot.chat`) as embeds."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import PLATFORM, sees_every_server
from adapters.discord.kb.group import KbGroup
from adapters.discord.render import FIELD_MAX, TITLE_MAX, clip, code_block
from adapters.discord.respond import Reply
from adapters.discord.state import BotState
from bot.reports import Report, gaps_report, stats_report, why_report


def register(kb: KbGroup) -> None:
    """Add the report commands to ``/kb``."""
    state = kb.state

    @kb.command(name="why", description="The ranking for a text and the reasons behind it")
    async def why(interaction: discord.Interaction[Any], text: app_commands.Range[str, 1, 4000]) -> None:
        await state.respond(interaction, show_why(state, text), private=True)

    @kb.command(name="gaps", description="Codes and questions nothing answered")
    async def gaps(interaction: discord.Interaction[Any]) -> None:
        await state.respond(interaction, show_gaps(state, interaction), private=True)

    @kb.command(name="stats", description="Entries, queries, feedback and gaps")
    async def stats(interaction: discord.Interaction[Any]) -> None:
        await state.respond(interaction, show_stats(state), private=True)


def report_embed(report: Report) -> discord.Embed:
    """A report as a fixed-width table in a code block."""
    return discord.Embed(title=clip(report.title, TITLE_MAX), description=code_block(report.lines()))


async def show_why(state: BotState, text: str) -> Reply:
    return Reply(embeds=[report_embed(why_report(await state.engine.why(text)))], ephemeral=True)


async def show_gaps(state: BotState, interaction: discord.Interaction[Any]) -> Reply:
    """What nothing answered: asked in this server, or everywhere for knowledge-base admins."""
    s = state.settings
    if sees_every_server(interaction, s.admin_roles, s.kb_guilds):
        gaps = await state.engine.gaps()
    else:
        gaps = await state.engine.gaps(platform=PLATFORM, scope=str(interaction.guild_id))
    return Reply(embeds=[report_embed(gaps_report(gaps))], ephemeral=True)


async def show_stats(state: BotState) -> Reply:
    """The counts as embed fields; a row with details (the most answered entries) spans the width."""
    report = stats_report(await state.engine.stats())
    embed = discord.Embed(title=report.title)
    for row in report.rows:
        name, value = row.cells
        if row.details:
            embed.add_field(name=name, value=clip("\n".join(row.details), FIELD_MAX), inline=False)
        else:
            embed.add_field(name=name, value=value)
    return Reply(embeds=[embed], ephemeral=True)
