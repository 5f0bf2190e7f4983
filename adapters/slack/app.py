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
from slack_bolt.listener.async_listener_completion_handler import AsyncListenerCompletionHandler
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.http import HttpServer
from adapters.slack import actions, commands, events, kb, modals, review, shortcut
from adapters.slack.connection import Retry, SocketKeeper, check_token
from adapters.slack.files import FileFetcher
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.state import BotState
from bot.chat import AutoReplyGate, RepeatLimiter
from bot.curator import Curator
from bot.engine import Engine
from bot.lifecycle import InFlight, Link
from bot.models import SupportBotError
from bot.settings import Settings, SlackSettings
from bot.weblinks import LoginLinks

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


class _Started(AsyncListenerStartHandler):
    def __init__(self, inflight: InFlight) -> None:
        self.inflight = inflight

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        self.inflight.begin()


class _Completed(AsyncListenerCompletionHandler):
    def __init__(self, inflight: InFlight) -> None:
        self.inflight = inflight

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        self.inflight.end()


def track_listeners(app: AsyncApp, inflight: InFlight) -> None:
    """Count every listener Bolt runs after acknowledging (answers, modals, clicks) as in flight,
    so a shutdown can wait for them: Bolt calls these hooks around each listener."""
    runner = app.listener_runner
    runner.listener_start_handler = _Started(inflight)
    runner.listener_completion_handler = _Completed(inflight)


class SlackBot:
    """One Slack app instance with all of its state; nothing is shared between instances."""

    name = "slack"

    def __init__(
        self,
        settings: SlackSettings,
        engine: Engine,
        curator: Curator,
        clock: Callable[[], float] = time.time,
        links: LoginLinks | None = None,
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
        gate = AutoReplyGate(engine.store, "slack", settings.cooldown_seconds, clock)
        self.state = BotState(engine, curator, settings, gate, self.files, log, RepeatLimiter(clock=clock), links)
        for module in (commands, kb, modals, events, shortcut, actions, review):
            module.register(self.app, self.state)
        self.inflight = InFlight()
        track_listeners(self.app, self.inflight)
        self.link = Link("slack", engine.metrics, log)
        self.retry = Retry(self.link)
        self._server: HttpServer | None = None
        self._mounted = False
        self._socket: SocketKeeper | None = None

    # ------------------------------------------------------------ HTTP mode

    async def handle_events(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: Bolt verifies the signature (and rejects timestamps more than
        five minutes off with 401) before any listener runs. While shutting down: 503, so
        Slack delivers the event again, to a replica that is up."""
        if self.inflight.closing:
            return web.Response(status=503, text="shutting down")
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    def mount(self, server: HttpServer) -> None:
        """In HTTP mode, serve ``POST /slack/events`` on ``server`` too when it listens on the
        configured Slack address; otherwise :meth:`run` opens a listener of its own."""
        s = self.settings
        if s.mode == "http" and (server.host, server.port) == (s.http_host, s.http_port):
            server.add_route("POST", EVENTS_PATH, self.handle_events)
            self._mounted = True

    async def serve_http(self, host: str, port: int) -> int:
        """Listen on ``host``/``port`` for Slack (``/slack/events`` and ``/healthz`` for a load
        balancer, never /metrics); returns the bound port (pass 0 for any free port)."""
        self._server = HttpServer(host, port)
        self._server.add_check("slack", self.health)
        self._server.add_route("POST", EVENTS_PATH, self.handle_events)
        bound = await self._server.start()
        log.info("Slack HTTP mode: listening on %s:%s%s", host, bound, EVENTS_PATH)
        return bound

    # ------------------------------------------------------------ lifecycle

    async def health(self) -> tuple[bool, str]:
        """``(ok, reason)`` for /healthz: Socket Mode connected, or HTTP mode serving."""
        return await self.link.health()

    async def connect_socket(self) -> None:
        """Open the Socket Mode connection (apps.connections.open, then the websocket), once."""
        self._socket = SocketKeeper(AsyncSocketModeHandler(self.app, self.app_token), self.link, self.retry)
        await self._socket.connect()

    async def run(self) -> None:
        """Check the token, then serve in the configured mode until cancelled or shut down;
        while Slack cannot be reached, retry with backoff (and /healthz says why)."""
        if self.settings.mode == "http" and not self._mounted and self._server is None:
            await self.serve_http(self.settings.http_host, self.settings.http_port)
        await check_token(self.client, self.retry)
        if self.settings.mode == "http":
            self.link.up()
            await asyncio.Event().wait()
        self._socket = SocketKeeper(AsyncSocketModeHandler(self.app, self.app_token), self.link, self.retry)
        await self._socket.run()

    async def check_token(self) -> None:
        """Fail early with a clear message when Slack rejects the bot token."""
        await check_token(self.client, self.retry)

    async def shutdown(self, grace: float) -> None:
        """Take no new events, let answers in flight finish (at most ``grace`` s), then close."""
        self.inflight.closing = True
        if self._socket is not None:
            await self._socket.close()  # Slack redelivers what this connection no longer takes
        left = await self.inflight.drain(grace)
        if left:
            log.warning("Slack: %d answers still running after %g s; stopping anyway", left, grace)
        self.link.down("shutting down")
        await self.close()

    async def close(self) -> None:
        """Stop serving and release connections."""
        if self._socket is not None:
            await self._socket.close()
            self._socket = None
        if self._server is not None:
            await self._server.stop()
            self._server = None
        await self.files.close()


async def run(settings: Settings, engine: Engine, curator: Curator) -> None:
    """Run the Slack adapter in the configured mode until cancelled; every knowledge change goes
    through ``curator``."""
    bot = SlackBot(settings.slack, engine, curator, links=LoginLinks(engine.store, settings.web))
    try:
        await bot.run()
    finally:
        await bot.close()
