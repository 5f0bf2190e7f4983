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

from adapters.discord.access import DENIED, KB_CHANGES, PLATFORM, is_admin, kb_change_refusal
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
        if not await super().interaction_check(interaction):
            return False
        command = interaction.command
        if command is not None and command.name in KB_CHANGES:
            return await self.may_change(interaction)
        return True

    async def may_change(self, interaction: discord.Interaction[Any]) -> bool:
        """The knowledge base is shared by every guild: only ``kb_guilds`` admins may change it.
        Says why when not (the admin check has already run)."""
        refusal = kb_change_refusal(interaction.guild_id, self.state.settings.kb_guilds)
        if refusal is None:
            return True
        await send(interaction, error_reply(refusal))
        return False

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
    """The check for every change to the knowledge base made outside a slash command (buttons,
    forms, menus): an admin, in a server allowed to change the shared knowledge base. Tells the
    member why not."""
    if not is_admin(interaction, state.settings.admin_roles):
        await send(interaction, error_reply(DENIED))
        return False
    refusal = kb_change_refusal(interaction.guild_id, state.settings.kb_guilds)
    if refusal is None:
        return True
    await send(interaction, error_reply(refusal))
    return False


def review_scope(state: BotState, guild_id: int | None) -> ReviewScope:
    """Knowledge-base admins (a server in ``kb_guilds``) review every miss; other admins the
    misses of their own server."""
    if guild_id is not None and guild_id in state.settings.kb_guilds:
        return ReviewScope.everything()
    return ReviewScope(PLATFORM, str(guild_id) if guild_id is not None else "dm")
