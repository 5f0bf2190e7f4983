"""``/supportbot channel``: show or change a channel's auto-replies and confidence threshold."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import PLATFORM, actor_of
from adapters.discord.kb.group import SupportbotGroup
from adapters.discord.render import CONTENT_MAX, clip
from adapters.discord.respond import Reply, error_reply, send
from adapters.discord.state import BotState
from bot.models import ChannelSettings


def register(group: SupportbotGroup) -> None:
    """Add ``channel`` to ``/supportbot``."""
    state = group.state

    @group.command(name="channel", description="Show or set auto-replies and the confidence threshold")
    @app_commands.describe(
        channel="The help channel or forum (default: this one)",
        auto_reply="Answer confident matches without being asked",
        threshold="Confidence (0 to 1) an auto-reply needs here, e.g. 0.85",
    )
    async def channel(
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        auto_reply: bool | None = None,
        threshold: app_commands.Range[float, 0.0, 1.0] | None = None,
    ) -> None:
        target = channel.id if channel is not None else _channel_here(interaction)
        if target is None:
            await send(interaction, error_reply("Name a channel: this command was not used in one."))
            return
        await state.respond(interaction, set_channel(state, interaction, target, auto_reply, threshold), private=True)


def _channel_here(interaction: discord.Interaction[Any]) -> int | None:
    ch = interaction.channel
    if isinstance(ch, discord.Thread):
        return ch.parent_id
    return ch.id if ch is not None else None


async def set_channel(
    state: BotState,
    interaction: discord.Interaction[Any],
    channel_id: int,
    auto_reply: bool | None,
    threshold: float | None,
) -> Reply:
    """Show (nothing given) or change a channel's settings, in this guild only."""
    scope, configured = str(interaction.guild_id), state.configured_channel(channel_id)
    if auto_reply is None and threshold is None:
        current = await state.engine.channel_settings(PLATFORM, scope, str(channel_id), configured=configured)
        return Reply(content=describe_channel(channel_id, current, changed=False), ephemeral=True)
    new = await state.engine.set_channel(
        PLATFORM,
        scope,
        str(channel_id),
        actor_of(interaction.user),
        auto_reply=auto_reply,
        threshold=threshold,
        configured=configured,
    )
    return Reply(content=describe_channel(channel_id, new, changed=True), ephemeral=True)


def describe_channel(channel_id: int, settings: ChannelSettings, *, changed: bool) -> str:
    """One line: auto-replies on or off in the channel, and the threshold."""
    state = "on" if settings.auto_reply else "off"
    bar = f"{settings.threshold:.2f}" if settings.threshold is not None else "the default"
    head = "Now" if changed else "Currently"
    return clip(f"{head}: auto-replies are **{state}** in <#{channel_id}>; confidence threshold {bar}.", CONTENT_MAX)
