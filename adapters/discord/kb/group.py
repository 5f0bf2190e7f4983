"""The admin command groups, ``/kb`` and ``/supportbot``, and the admin gate they share.

``default_permissions`` hides the commands from members without Manage Server, but only in
Discord's UI and only until a server changes it, so :meth:`AdminGroup.interaction_check`
checks every invocation in the bot's own code.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import DENIED, PLATFORM, is_admin
from adapters.discord.commands import Choices, id_choices
from adapters.discord.respond import error_reply, send
from adapters.discord.state import BotState
from bot.models import ReviewScope

Autocomplete = Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, Choices]]


class AdminGroup(app_commands.Group):
    """A command group only admins may use (checked here, not only by Discord)."""

    def __init__(self, state: BotState, **kwargs: Any) -> None:
        super().__init__(default_permissions=discord.Permissions(manage_guild=True), guild_only=True, **kwargs)
        self.state = state

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if is_admin(interaction, self.state.settings.admin_roles):
            return True
        await send(interaction, error_reply(DENIED))
        return False


class KbGroup(AdminGroup):
    """``/kb``: the knowledge base."""

    def __init__(self, state: BotState) -> None:
        super().__init__(state, name="kb", description="Knowledge-base administration")

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return await kb_admin(self.state, interaction)

    def entry_ids(self) -> Autocomplete:
        """The one autocomplete for every ``id`` option: entry ids with their titles."""

        async def entry_ids(interaction: discord.Interaction[Any], current: str) -> Choices:
            return id_choices(self.state.engine, current)

        return entry_ids


class SupportbotGroup(AdminGroup):
    """``/supportbot``: per-channel settings in this server."""

    def __init__(self, state: BotState) -> None:
        super().__init__(state, name="supportbot", description="Support bot settings for this server")


async def kb_admin(state: BotState, interaction: discord.Interaction[Any]) -> bool:
    """The check for every knowledge-base action (commands, buttons, forms, menus): an admin, in
    a server allowed to manage the knowledge base. Tells the member why not."""
    # The knowledge base is shared by every guild; kb_guilds limits whose admins may change it.
    allowed = state.settings.kb_guilds
    if allowed and interaction.guild_id not in allowed:
        await send(interaction, error_reply("The knowledge base is managed from another server."))
        return False
    if is_admin(interaction, state.settings.admin_roles):
        return True
    await send(interaction, error_reply(DENIED))
    return False


def review_scope(state: BotState, guild_id: int | None) -> ReviewScope:
    """Knowledge-base admins (a server in ``kb_guilds``) review every miss; other admins the
    misses of their own server."""
    if guild_id is not None and guild_id in state.settings.kb_guilds:
        return ReviewScope.everything()
    return ReviewScope(PLATFORM, str(guild_id) if guild_id is not None else "dm")
