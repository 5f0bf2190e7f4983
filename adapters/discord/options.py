"""The adapter's view of the settings, the invite link, and pointing discord.py at an API.

Keys that :class:`bot.settings.DiscordSettings` may not define yet are read with defaults,
so the adapter runs on the settings model as it is and picks new keys up once they exist.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import discord
import discord.gateway
import discord.http
import yarl

from bot.models import SupportBotError
from bot.settings import Settings

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg"
CDN_HOSTS = ("cdn.discordapp.com", "media.discordapp.net")
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


@dataclass(frozen=True, slots=True)
class Options:
    """Everything the adapter reads from settings, resolved once at start."""

    token: str = ""
    api_base_url: str = DISCORD_API
    gateway_url: str = DISCORD_GATEWAY
    application_id: int | None = None
    help_channels: frozenset[int] = frozenset()
    admin_roles: frozenset[int] = frozenset()
    excluded_roles: frozenset[int] = frozenset()
    cooldown_seconds: float = 60.0
    max_attachment_bytes: int = 1_000_000
    max_import_bytes: int = 10_000_000
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    message_content: bool = True
    sync_commands: bool = True
    # Work that has not finished after this long is deferred, well inside Discord's 3 s.
    ack_after_seconds: float = 1.5
    guild_ready_timeout: float = 2.0
    attachment_hosts: frozenset[str] = field(default_factory=lambda: frozenset(CDN_HOSTS))
    # Guilds whose admins may change the (shared) knowledge base; empty: any guild's admins.
    kb_guilds: frozenset[int] = frozenset()

    def with_(self, **changes: Any) -> Options:
        """A copy with some values replaced (tests use it to shorten waits)."""
        return replace(self, **changes)

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @property
    def publishes_commands(self) -> bool:
        """Commands are global: only the process that runs shard 0 publishes them."""
        return self.sync_commands and (self.shard_ids is None or 0 in self.shard_ids)


def options_from(settings: Settings) -> Options:
    """The adapter's view of the ``[discord]`` settings, checked."""
    d = settings.discord
    token = d.token.get_secret_value() if d.token is not None else ""
    api = d.api_base_url.rstrip("/")
    # A deployment behind a REST proxy (or a local fake) serves attachments from that host too.
    hosts = {*d.attachment_hosts, urlsplit(api).hostname or ""}
    opts = Options(
        token=token.strip(),
        api_base_url=api,
        gateway_url=d.gateway_url,
        application_id=d.application_id,
        help_channels=frozenset(d.help_channels),
        admin_roles=frozenset(d.admin_roles),
        excluded_roles=frozenset(d.excluded_roles),
        cooldown_seconds=d.cooldown_seconds,
        max_attachment_bytes=d.max_attachment_bytes,
        max_import_bytes=d.max_import_bytes,
        shard_count=d.shard_count,
        shard_ids=tuple(d.shard_ids) if d.shard_ids is not None else None,
        message_content=d.message_content,
        sync_commands=d.sync_commands,
        ack_after_seconds=d.ack_after_seconds,
        guild_ready_timeout=d.guild_ready_timeout,
        attachment_hosts=frozenset(h for h in hosts if h),
        kb_guilds=frozenset(d.kb_guilds),
    )
    check(opts)
    return opts


def check(opts: Options) -> None:
    """Reject combinations Discord or discord.py would fail on later, with a clear message."""
    if opts.shard_ids is not None and opts.shard_count is None:
        raise SupportBotError("discord.shard_ids needs discord.shard_count (the total number of shards)")
    if opts.shard_ids is not None and opts.shard_count is not None:
        bad = [i for i in opts.shard_ids if not 0 <= i < opts.shard_count]
        if bad or not opts.shard_ids:
            raise SupportBotError(f"discord.shard_ids must be between 0 and {opts.shard_count - 1}, got {bad or '[]'}")
    if not 0 < opts.ack_after_seconds < 3:
        raise SupportBotError("discord.ack_after_seconds must be between 0 and 3 (Discord's deadline)")


def application_id_of(opts: Options) -> int:
    """The application id: the setting, else the bot user id encoded in the token's first part.

    A bot's user id equals its application's id, and the token starts with that id in base64.
    """
    if opts.application_id is not None:
        return opts.application_id
    first = opts.token.split(".", 1)[0]
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


def invite_link(opts: Options) -> str:
    """The OAuth2 link that adds the bot with exactly the scopes and permissions it needs."""
    return discord.utils.oauth_url(application_id_of(opts), permissions=bot_permissions(), scopes=SCOPES)


@contextmanager
def api_endpoints(api_base_url: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST and gateway addresses at ``api_base_url`` / ``gateway_url``.

    discord.py keeps both as class attributes, so they are set for the lifetime of one
    adapter run and restored afterwards; two adapters with different addresses cannot run in
    one process at the same time.
    """
    route, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = route
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
