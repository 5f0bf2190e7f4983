"""The one admin check, and where an interaction or message happened in the core's terms.

``default_member_permissions`` on the admin commands only hides them in Discord's UI (and a
server can change it); the bot's own code checks every admin action here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import discord

from bot.models import Place

PLATFORM = "discord"
DENIED = "This needs the Manage Server permission or one of the bot's admin roles."
# The /kb subcommands that change the knowledge base every server sees.
KB_CHANGES = frozenset({"add", "edit", "delete", "revert", "import"})


def actor_of(user: discord.abc.Snowflake) -> str:
    """The id recorded with every change and every query: ``discord:<user id>``."""
    return f"{PLATFORM}:{user.id}"


def role_ids(user: discord.abc.User | discord.Member) -> set[int]:
    return {r.id for r in user.roles} if isinstance(user, discord.Member) else set()


def is_admin(interaction: discord.Interaction[Any], admin_roles: Collection[int]) -> bool:
    """Manage Server (or Administrator) in this guild, or one of the configured admin roles.

    ``interaction.permissions`` are the member's resolved permissions as Discord computed them
    for this interaction. Outside a guild nobody is an admin.
    """
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    perms = interaction.permissions
    if perms.administrator or perms.manage_guild:
        return True
    return bool(role_ids(interaction.user) & set(admin_roles))


def kb_change_refusal(guild_id: int | None, kb_guilds: Collection[int]) -> str | None:
    """Why admins here may not change the shared knowledge base, or None when they may.

    Anyone can invite a public bot to a server they own, so only the servers the operator
    listed may change it; with none listed, nobody may from Discord (an empty setting opens nothing).
    """
    if guild_id is not None and guild_id in kb_guilds:
        return None
    which = "no server is listed there" if not kb_guilds else "this server is not listed there"
    return (
        "Nothing was changed: the knowledge base is shared by every server the bot is in, so changes are "
        f"accepted only from the servers in the bot's `discord.kb_guilds` setting, and {which}. "
        "Reading commands (show, history, why, gaps, stats, export) work here."
    )


def sees_every_server(
    interaction: discord.Interaction[Any], admin_roles: Collection[int], kb_guilds: Collection[int]
) -> bool:
    """True for knowledge-base admins (admins of a ``kb_guilds`` server): they see what every
    server asked; everyone else sees only their own server's questions."""
    return is_admin(interaction, admin_roles) and kb_change_refusal(interaction.guild_id, kb_guilds) is None


def place_of(channel: Any, guild_id: int | None) -> Place:
    """A channel as the core's Place: threads report their parent channel, whose settings apply."""
    scope = str(guild_id) if guild_id is not None else "dm"
    if isinstance(channel, discord.Thread):
        return Place(PLATFORM, scope, str(channel.parent_id), str(channel.id))
    channel_id = getattr(channel, "id", None)
    return Place(PLATFORM, scope, str(channel_id) if channel_id is not None else "", "")
