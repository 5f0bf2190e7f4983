"""One-time sign-in links for the web dashboard, issued in chat (``/kb dashboard``) or at the
terminal (``supportbot web login-url``) and redeemed once by the dashboard.

Only a SHA-256 digest of each token is stored, so a copy of the database signs nobody in. A
token is good for :data:`LINK_TTL` seconds and one use; whoever redeems it is signed in as the
actor it was issued to.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.settings import WebSettings
from bot.store.base import Store

LINK_TTL = 600
LOGIN_PATH = "/login"
TOKEN_BYTES = 32


def base_url(settings: WebSettings) -> str:
    """Where people open the dashboard: ``public_url``, else the address it listens on."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def _stamp(moment: datetime) -> str:
    # The store's own timestamp format, so expiry compares as text.
    return moment.isoformat(timespec="seconds")


class LoginLinks:
    """Issues and redeems one-time sign-in links over the store's ``web_tokens``."""

    def __init__(
        self,
        store: Store,
        settings: WebSettings,
        ttl: float = LINK_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.settings = settings
        self.ttl = ttl
        self.clock = clock

    async def issue(self, actor: str) -> str:
        """A fresh link for ``actor`` (``discord:<id>``, ``slack:<id>`` or a terminal name)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = self.clock() + timedelta(seconds=self.ttl)
        await self.store.add_web_token(digest(token), actor, _stamp(expires))
        return f"{base_url(self.settings)}{LOGIN_PATH}/{token}"

    async def check(self, token: str) -> str | None:
        """The actor a token would sign in, without using it up (for the confirmation page)."""
        return await self.store.take_web_token(digest(token), _stamp(self.clock()), consume=False)

    async def redeem(self, token: str) -> str | None:
        """The actor, once: a used, expired or unknown token gives None."""
        return await self.store.take_web_token(digest(token), _stamp(self.clock()), consume=True)

    @property
    def minutes(self) -> int:
        return max(1, round(self.ttl / 60))
