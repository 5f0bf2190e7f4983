"""Staying connected to Slack: the bot token check and the Socket Mode connection, retried
with backoff while Slack cannot be reached, and reopened when it drops.

slack_sdk's own reconnection retries at a fixed interval, logs a traceback each time and
retries a rejected app token forever; it is switched off and replaced by :class:`SocketKeeper`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.lifecycle import Backoff, Link, Sleep, keep_trying
from bot.models import SupportBotError

log = logging.getLogger("adapters.slack")
T = TypeVar("T")

# Errors Slack answers when it, not the request, is at fault.
SERVER_ERRORS = frozenset({"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"})


def transient(exc: BaseException) -> bool:
    """A failure worth retrying: the network or Slack's servers, never a rejected token."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        return status >= 500 or exc.response.get("error") in SERVER_ERRORS
    return isinstance(exc, OSError | aiohttp.ClientError | TimeoutError)


class SocketKeeper:
    """Opens the Socket Mode connection and reopens it whenever it drops, until cancelled."""

    def __init__(self, handler: AsyncSocketModeHandler, link: Link, retry: Retry, poll: float = 1.0) -> None:
        self.socket = handler.client
        # Our loop reconnects; the SDK's would compete with it (and never give up on a bad token).
        self.socket.default_auto_reconnect_enabled = False
        self.socket.auto_reconnect_enabled = False
        self.link = link
        self.retry = retry
        self.poll = poll
        self.closing = False

    async def _open(self) -> None:
        try:
            self.socket.wss_uri = await self.socket.issue_new_wss_url()
        except SlackApiError as exc:
            if transient(exc):
                raise
            raise SupportBotError(
                f"Slack rejected the app token ({exc.response.get('error')}): check SUPPORTBOT_SLACK__APP_TOKEN"
            ) from None
        await self.socket.connect()  # type: ignore[no-untyped-call]

    async def connect(self) -> None:
        """Open the connection, retrying with backoff while Slack cannot be reached."""
        await self.retry.attempt(self._open, "Slack Socket Mode")
        self.retry.backoff.reset()
        self.link.up()
        log.info("Slack Socket Mode: connected")

    async def run(self) -> None:
        """Connect, then watch the connection and reconnect with backoff when it is lost."""
        while not self.closing:
            await self.connect()
            while await self.socket.is_connected():
                await self.retry.sleep(self.poll)
            if not self.closing:
                self.link.down("Socket Mode connection lost; reconnecting")

    async def close(self) -> None:
        """Close the connection (no more events arrive)."""
        self.closing = True
        await self.socket.close()  # type: ignore[no-untyped-call]


class Retry:
    """How a Slack bot retries: its backoff, its sleep, and the link told why it waits."""

    def __init__(self, link: Link, backoff: Backoff | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.link = link
        self.backoff = backoff if backoff is not None else Backoff()
        self.sleep = sleep

    async def attempt(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """``await attempt()`` until it succeeds or fails for a reason retrying cannot fix."""
        return await keep_trying(
            attempt,
            what=what,
            transient=transient,
            log=log,
            backoff=self.backoff,
            sleep=self.sleep,
            on_retry=self.link.note,
        )


async def check_token(client: AsyncWebClient, retry: Retry) -> dict[str, Any]:
    """auth.test, retried while Slack cannot be reached; a rejected token stops the bot."""

    async def auth_test() -> dict[str, Any]:
        try:
            return dict((await client.auth_test()).data)  # type: ignore[arg-type]
        except SlackApiError as exc:
            if transient(exc):
                raise
            raise SupportBotError(
                f"Slack rejected the bot token ({exc.response.get('error')}): check SUPPORTBOT_SLACK__BOT_TOKEN"
            ) from None

    info = await retry.attempt(auth_test, "Slack")
    retry.backoff.reset()
    log.info("Slack: signed in as %s in workspace %s", info.get("user"), info.get("team"))
    return info
