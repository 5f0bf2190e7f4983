"""The Discord app: intents, sharding, commands, components, and one run's lifetime."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from adapters.discord import commands, kb, shortcut
from adapters.discord.actions import Actions
from adapters.discord.events import AutoReplies
from adapters.discord.invite import token_of
from adapters.discord.kb.review import REVIEW_ITEMS
from adapters.discord.render import no_pings
from adapters.discord.respond import error_reply, send
from adapters.discord.state import build_state
from adapters.discord.views import DYNAMIC_ITEMS, ComponentHandler
from bot.curator import Curator
from bot.engine import Engine
from bot.lifecycle import Backoff, Link, Sleep, describe, keep_trying
from bot.models import SupportBotError
from bot.settings import DiscordSettings, Settings
from bot.weblinks import LoginLinks

log = logging.getLogger(__name__)
T = TypeVar("T")
REJECTED = "Discord rejected the token (401): check SUPPORTBOT_DISCORD__TOKEN"


def check_settings(settings: Settings) -> DiscordSettings:
    """The ``[discord]`` settings, after rejecting combinations Discord or discord.py would fail on later."""
    d = settings.discord
    if d.shard_ids is not None and d.shard_count is None:
        raise SupportBotError("discord.shard_ids needs discord.shard_count (the total number of shards)")
    if d.shard_ids is not None and d.shard_count is not None:
        bad = [i for i in d.shard_ids if not 0 <= i < d.shard_count]
        if bad or not d.shard_ids:
            raise SupportBotError(f"discord.shard_ids must be between 0 and {d.shard_count - 1}, got {bad or '[]'}")
    return d


def publishes_commands(settings: DiscordSettings) -> bool:
    """Commands are global: only the process that runs shard 0 publishes them."""
    return settings.sync_commands and (settings.shard_ids is None or 0 in settings.shard_ids)


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


def intents_for(settings: DiscordSettings) -> discord.Intents:
    """Guilds (channels, threads, roles) and guild messages; Message Content when enabled.

    Without Message Content the bot still answers /ask, "Find answer" and @mentions.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = settings.message_content
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
    """What the client forwards to the adapter; ``component_handler`` is found by the views,
    ``link`` learns when the gateway connection comes and goes."""

    component_handler: ComponentHandler
    auto_replies: AutoReplies
    link: Link

    async def on_message(self, message: discord.Message) -> None:
        await self.auto_replies.on_message(message, getattr(self, "user", None))


class SupportClient(_Hooks, discord.Client):
    async def on_ready(self) -> None:
        self.link.up()

    async def on_resumed(self) -> None:
        self.link.up()

    async def on_disconnect(self) -> None:
        self.link.down("gateway connection lost; reconnecting")


class ShardedSupportClient(_Hooks, discord.AutoShardedClient):
    async def on_shard_ready(self, shard_id: int) -> None:
        self.link.up(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.link.up(shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self.link.down(f"shard {shard_id}: gateway connection lost; reconnecting", shard_id)


def transient(exc: BaseException) -> bool:
    """A failure worth retrying: the network or Discord's servers, not our token or settings."""
    if isinstance(exc, discord.HTTPException):
        return isinstance(exc, discord.DiscordServerError)
    return isinstance(exc, OSError | aiohttp.ClientError | TimeoutError | discord.GatewayNotFound)


class OneLineReconnects(logging.Filter):
    """discord.py logs each gateway reconnection with a traceback; the cause is the network, so
    one line with the error says all an operator needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and record.getMessage().startswith("Attempting a"):
            record.msg = f"{record.getMessage()} after {describe(record.exc_info[1])}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_library_logs() -> None:
    """No warnings about voice support the bot never uses; gateway reconnections in one line."""
    # discord.py warns once per process, at the first client, that PyNaCl and davey are missing.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False  # type: ignore[attr-defined,unused-ignore]
    for name in ("discord.client", "discord.shard"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineReconnects) for f in logger.filters):
            logger.addFilter(OneLineReconnects())


class DiscordAdapter:
    """One bot run: build with the settings, the engine (answers, reads) and the curator
    (knowledge changes), then ``await run()`` until cancelled.

    A run cannot be restarted (discord.py clients are single-use); build a new adapter instead.
    """

    name = "discord"

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        curator: Curator,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = check_settings(settings)
        self.state = build_state(self.settings, engine, curator, clock)
        self.sleep = sleep
        self.backoff = Backoff()
        d = self.settings
        parts = len(d.shard_ids) if d.shard_ids is not None else (d.shard_count or 1)
        self.link = Link("discord", engine.metrics, log, parts)
        quiet_library_logs()
        self.state.links = LoginLinks(engine.store, settings.web)
        self.client: discord.Client = self._client()
        self.client.link = self.link  # type: ignore[attr-defined]
        self.tree = SupportTree(self.client)
        self.auto_replies = AutoReplies(self.state)
        self.client.component_handler = Actions(self.state)  # type: ignore[attr-defined]
        self.client.auto_replies = self.auto_replies  # type: ignore[attr-defined]
        commands.register(self.tree, self.state)
        shortcut.register(self.tree, self.state)
        kb.register(self.tree, self.state)
        self.client.review_state = self.state  # type: ignore[attr-defined]
        self.client.add_dynamic_items(*DYNAMIC_ITEMS, *REVIEW_ITEMS)

    def _client(self) -> discord.Client:
        d = self.settings
        common: dict[str, Any] = {
            "intents": intents_for(d),
            "allowed_mentions": no_pings(),
            "max_messages": None,  # the bot never looks messages up in its cache
            "chunk_guilds_at_startup": False,
            "guild_ready_timeout": d.guild_ready_timeout,
        }
        if d.shard_count is None:
            return SupportClient(**common)
        if d.shard_ids is not None:
            common["shard_ids"] = list(d.shard_ids)
        return ShardedSupportClient(shard_count=d.shard_count, **common)

    async def health(self) -> tuple[bool, str]:
        """``(ok, reason)`` for /healthz: every shard connected and the client not closed."""
        if self.client.is_closed():
            return False, "client closed"
        return await self.link.health()

    def mount(self, server: object) -> None:
        """Nothing to serve over HTTP: Discord delivers everything over the gateway."""

    async def shutdown(self, grace: float) -> None:
        """Refuse new questions, let those in flight finish (at most ``grace`` s), then disconnect."""
        left = await self.state.inflight.drain(grace)
        if left:
            log.warning("Discord: %d answers still running after %g s; stopping anyway", left, grace)
        self.link.down("shutting down")
        await self.client.close()

    async def _login(self, token: str) -> None:
        try:
            await self.client.login(token)
        except Exception:
            # Each login opens a session over one shared connector; closing the session closes
            # the connector too, so the next attempt must get a new one.
            await self.client.http.close()
            self.client.http.connector = discord.utils.MISSING
            raise

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        return await keep_trying(
            attempt,
            what="Discord",
            transient=transient,
            log=log,
            backoff=self.backoff,
            sleep=self.sleep,
            on_retry=self.link.note,
        )

    async def run(self) -> None:
        """Log in, publish the commands, and handle events until cancelled or shut down.

        Discord being unreachable at start is retried with backoff; discord.py itself reconnects
        a gateway connection that drops later. A rejected token stops the run.
        """
        token = token_of(self.settings)
        if not token:
            raise SupportBotError("no Discord token: set SUPPORTBOT_DISCORD__TOKEN")
        with api_endpoints(self.settings.api_base_url, self.settings.gateway_url):
            try:
                async with self.client:
                    await self._retrying(lambda: self._login(token))
                    self.backoff.reset()
                    if publishes_commands(self.settings):
                        synced = await self._retrying(self.tree.sync)
                        log.info("published %d application commands", len(synced))
                    self.link.note("connecting to the gateway")
                    await self.client.connect(reconnect=True)
            except discord.LoginFailure:
                raise SupportBotError(REJECTED) from None
            except discord.ConnectionClosed as exc:
                if exc.code == 4004:  # the gateway's "authentication failed"
                    raise SupportBotError(REJECTED) from None
                raise
            except discord.PrivilegedIntentsRequired:
                raise SupportBotError(
                    "Discord refused the Message Content intent: enable it under Developer Portal > Bot > "
                    "Privileged Gateway Intents, or set discord.message_content = false (auto-replies then stop)"
                ) from None


async def run(settings: Settings, engine: Engine, curator: Curator) -> None:
    """Run the Discord bot until cancelled (``supportbot run`` calls this); every knowledge change
    goes through ``curator``."""
    await DiscordAdapter(settings, engine, curator).run()
