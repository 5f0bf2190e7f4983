"""The Discord adapter: slash commands, a message menu, auto-replies and admin commands.

Entry points for the composition root: :func:`run` and :func:`invite_url`.
"""

from __future__ import annotations

from adapters.discord.app import DiscordAdapter, check_settings, run
from adapters.discord.invite import invite_url

__all__ = ["DiscordAdapter", "check_settings", "invite_url", "run"]
