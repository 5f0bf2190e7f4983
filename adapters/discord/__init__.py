"""The Discord adapter: slash commands, a message menu, auto-replies and admin commands.

Entry points for the composition root: :func:`run` and :func:`invite_url`.
"""

from __future__ import annotations

from adapters.discord.client import DiscordAdapter, run
from adapters.discord.options import Options, invite_link, options_from
from bot.settings import Settings


def invite_url(settings: Settings) -> str:
    """The link that adds the bot to a server with exactly the scopes and permissions it needs."""
    return invite_link(options_from(settings))


__all__ = ["DiscordAdapter", "Options", "invite_url", "missing_settings", "options_from", "run"]


def missing_settings(settings: Settings) -> str:
    """What must still be set before the Discord adapter can start ("" when it is configured)."""
    return "" if settings.discord.token else "SUPPORTBOT_DISCORD__TOKEN"
