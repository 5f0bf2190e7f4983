"""The Discord adapter: slash commands, a message menu, auto-replies and admin commands.

Entry points for the composition root: :func:`run` and :func:`invite_url`.
"""

from __future__ import annotations

from adapters.discord.app import DiscordAdapter, check_settings, run
from adapters.discord.invite import invite_url
from bot.settings import Settings

__all__ = ["DiscordAdapter", "check_settings", "invite_url", "missing_settings", "run"]


def missing_settings(settings: Settings) -> str:
    """What must still be set before the Discord adapter can start ("" when it is configured)."""
    return "" if settings.discord.token else "SUPPORTBOT_DISCORD__TOKEN"
