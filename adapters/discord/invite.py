"""The invite link: exactly the scopes and permissions the bot needs."""

from __future__ import annotations

import base64
import binascii

import discord

from bot.models import SupportBotError
from bot.settings import DiscordSettings, Settings

SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """What the bot needs in a help channel, and nothing more.

    Interaction responses (/ask, admin replies, exports) go through the interaction webhook and
    need no channel permission; these are for auto-replies and "Find answer" replies.
    """
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,  # forum posts and threads are answered inside the thread
        embed_links=True,  # answers are embeds
        read_message_history=True,  # a reply references the message it answers
    )


def token_of(settings: DiscordSettings) -> str:
    """The bot token, or "" when none is set."""
    return settings.token.get_secret_value().strip() if settings.token is not None else ""


def application_id_of(settings: DiscordSettings) -> int:
    """The application id: the setting, else the bot user id encoded in the token's first part.

    A bot's user id equals its application's id, and the token starts with that id in base64.
    """
    if settings.application_id is not None:
        return settings.application_id
    first = token_of(settings).split(".", 1)[0]
    if first:
        try:
            decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=True).decode("ascii")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded.isdigit():
            return int(decoded)
    raise SupportBotError(
        "the invite link needs the application id: set discord.application_id (Developer Portal > "
        "General Information > Application ID) or SUPPORTBOT_DISCORD__TOKEN"
    )


def invite_url(settings: Settings) -> str:
    """The OAuth2 link that adds the bot to a server with exactly the scopes and permissions it needs."""
    app_id = application_id_of(settings.discord)
    return discord.utils.oauth_url(app_id, permissions=bot_permissions(), scopes=SCOPES)
