"""The Slack app: one Bolt ``AsyncApp`` with its Web API client, served over Socket Mode
(the default: an outgoing websocket, no public URL) or HTTP (``POST /slack/events`` with
request signing verified by Bolt, for several replicas behind a load balancer)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import actions, commands, events, kb, modals, shortcut
from adapters.slack.files import FileFetcher
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.state import BotState
from bot.chat import AutoReplyGate, RepeatLimiter
from bot.curator import Curator
from bot.engine import Engine
from bot.models import SupportBotError
from bot.settings import Settings, SlackSettings

log = logging.getLogger("adapters.slack")

RATE_LIMIT_RETRIES = 3


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""


def web_client(token: str, base_url: str) -> AsyncWebClient:
    """A Web API client that retries connection errors and, on HTTP 429, waits for Retry-After."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class SlackBot:
    """One Slack app instance with all of its state; nothing is shared between instances."""

    def __init__(
        self,
        settings: SlackSettings,
        engine: Engine,
        curator: Curator,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.bot_token = _secret(settings.bot_token)
        self.app_token = _secret(settings.app_token)
        self.signing_secret = _secret(settings.signing_secret)
        if not self.bot_token:
            raise SupportBotError("Slack: set SUPPORTBOT_SLACK__BOT_TOKEN to the bot token (xoxb-...)")
        if settings.mode == "socket" and not self.app_token:
            raise SupportBotError("Slack socket mode: set SUPPORTBOT_SLACK__APP_TOKEN to an app-level token (xapp-...)")
        if settings.mode == "http" and not self.signing_secret:
            raise SupportBotError("Slack http mode: set SUPPORTBOT_SLACK__SIGNING_SECRET to the app's signing secret")
        self.client = web_client(self.bot_token, settings.api_base_url)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=self.signing_secret,
            name="supportbot",
            logger=logging.getLogger("adapters.slack.bolt"),
        )
        self.files = FileFetcher(self.bot_token, settings.max_file_bytes, settings.api_base_url)
        gate = AutoReplyGate(settings.cooldown_seconds, clock)
        self.state = BotState(engine, curator, settings, gate, self.files, log, RepeatLimiter(clock=clock))
        for module in (commands, kb, modals, events, shortcut, actions):
            module.register(self.app, self.state)
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    # ------------------------------------------------------------ HTTP mode

    def web_app(self) -> web.Application:
        """The aiohttp application: ``POST /slack/events`` for Slack, ``GET /healthz`` for a load balancer."""
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._handle)
        application.router.add_get("/healthz", self._health)
        return application

    async def _handle(self, request: web.Request) -> web.Response:
        # Bolt's request verification middleware checks the signature and rejects timestamps
        # more than five minutes off with 401 before any listener runs.
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def serve_http(self, host: str, port: int) -> int:
        """Start listening; returns the bound port (pass 0 for any free port)."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        log.info("Slack HTTP mode: listening on %s:%s%s", host, bound, EVENTS_PATH)
        return int(bound)

    # ------------------------------------------------------------ Socket Mode

    async def connect_socket(self) -> None:
        """Open the Socket Mode connection (apps.connections.open, then the websocket)."""
        self._socket = AsyncSocketModeHandler(self.app, self.app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode: connected")

    # ------------------------------------------------------------ lifecycle

    async def check_token(self) -> None:
        """Fail early with a clear message when Slack rejects the bot token."""
        try:
            info = await self.client.auth_test()
        except SlackApiError as exc:
            raise SupportBotError(f"Slack rejected the bot token: {exc.response.get('error')}") from None
        log.info("Slack: signed in as %s in workspace %s", info.get("user"), info.get("team"))

    async def close(self) -> None:
        """Stop serving and release connections."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.files.close()


async def run(settings: Settings, engine: Engine, curator: Curator) -> None:
    """Run the Slack adapter in the configured mode until cancelled; every knowledge change goes
    through ``curator``."""
    bot = SlackBot(settings.slack, engine, curator)
    try:
        await bot.check_token()
        if settings.slack.mode == "http":
            await bot.serve_http(settings.slack.http_host, settings.slack.http_port)
        else:
            await bot.connect_socket()
        await asyncio.Event().wait()
    finally:
        await bot.close()
