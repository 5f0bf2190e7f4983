"""The Discord client: intents, sharding, commands, components, and one run's lifetime."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.admin import KnowledgeAdmin
from adapters.discord.admin_commands import register_admin_commands
from adapters.discord.answers import Answers
from adapters.discord.autoreply import AutoReplies
from adapters.discord.commands import register_community_commands
from adapters.discord.options import Options, api_endpoints, options_from
from adapters.discord.render import no_pings
from adapters.discord.respond import error_reply, send
from adapters.discord.views import DYNAMIC_ITEMS, ComponentHandler
from bot.engine import Engine
from bot.models import SupportBotError
from bot.settings import Settings

log = logging.getLogger(__name__)


def intents_for(opts: Options) -> discord.Intents:
    """Guilds (channels, threads, roles) and guild messages; Message Content when enabled.

    Without Message Content the bot still answers /ask, "Find answer" and @mentions.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = opts.message_content
    return intents


class SupportTree(app_commands.CommandTree[discord.Client]):
    """Logs failures once and tells the member, unless they were already answered."""

    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError, /
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            return  # the check already told the member why
        original = getattr(error, "original", error)
        if isinstance(original, discord.HTTPException):
            # Discord refused our response (expired, already answered): another attempt fails too.
            log.warning("command %s: Discord refused the response: %s", interaction.id, original)
            return
        log.error("command %s failed", getattr(interaction.command, "qualified_name", "?"), exc_info=error)
        if not interaction.response.is_done():
            await send(interaction, error_reply("Something went wrong on the bot's side; the error is in its log."))


class _Hooks:
    """What the client forwards to the adapter; ``component_handler`` is found by the views."""

    component_handler: ComponentHandler
    auto_replies: AutoReplies

    async def on_message(self, message: discord.Message) -> None:
        await self.auto_replies.on_message(message, getattr(self, "user", None))


class SupportClient(_Hooks, discord.Client):
    pass


class ShardedSupportClient(_Hooks, discord.AutoShardedClient):
    pass


class DiscordAdapter:
    """One bot run: build with settings and the engine, then ``await run()`` until cancelled.

    A run cannot be restarted (discord.py clients are single-use); build a new adapter instead.
    """

    def __init__(self, settings: Settings, engine: Engine, options: Options | None = None) -> None:
        self.opts = options or options_from(settings)
        self.engine = engine
        common: dict[str, Any] = {
            "intents": intents_for(self.opts),
            "allowed_mentions": no_pings(),
            "max_messages": None,  # the bot never looks messages up in its cache
            "chunk_guilds_at_startup": False,
            "guild_ready_timeout": self.opts.guild_ready_timeout,
        }
        client: SupportClient | ShardedSupportClient
        if self.opts.sharded:
            if self.opts.shard_ids is not None:
                common["shard_ids"] = list(self.opts.shard_ids)
            client = ShardedSupportClient(shard_count=self.opts.shard_count, **common)
        else:
            client = SupportClient(**common)
        self.client: discord.Client = client
        self.tree = SupportTree(client)
        self.answers = Answers(engine, self.opts)
        self.auto_replies = AutoReplies(engine, self.opts, self.answers)
        self.admin = KnowledgeAdmin(engine, self.opts)
        client.component_handler = self.answers
        client.auto_replies = self.auto_replies
        register_community_commands(self.tree, self.answers)
        register_admin_commands(self.tree, self.admin)
        client.add_dynamic_items(*DYNAMIC_ITEMS)

    async def run(self) -> None:
        """Log in, publish the commands, and handle events until cancelled."""
        if not self.opts.token:
            raise SupportBotError("no Discord token: set SUPPORTBOT_DISCORD__TOKEN")
        with api_endpoints(self.opts.api_base_url, self.opts.gateway_url):
            try:
                async with self.client:
                    await self.client.login(self.opts.token)
                    if self.opts.publishes_commands:
                        synced = await self.tree.sync()
                        log.info("published %d application commands", len(synced))
                    await self.client.connect(reconnect=True)
            except discord.LoginFailure:
                raise SupportBotError("Discord rejected the token (401): check SUPPORTBOT_DISCORD__TOKEN") from None
            except discord.PrivilegedIntentsRequired:
                raise SupportBotError(
                    "Discord refused the Message Content intent: enable it under Developer Portal > Bot > "
                    "Privileged Gateway Intents, or set discord.message_content = false (auto-replies then stop)"
                ) from None


async def run(settings: Settings, engine: Engine) -> None:
    """Run the Discord bot until cancelled (``supportbot run`` calls this)."""
    await DiscordAdapter(settings, engine).run()
