"""Sign-in without passwords: one-time links, signed session cookies, CSRF tokens.

A link from ``/kb dashboard`` (or ``supportbot web login-url``) opens a confirmation page; its
button posts the token, which is used up in the same statement that checks it, and a session
cookie is set. Link previews in chat only ever GET the page, so they cannot use a link up.

Sessions are HMAC-signed cookies (HttpOnly, SameSite=Strict, Secure when the public address
is https). Every POST carries a CSRF token derived from the session (or, on the sign-in page,
from a short-lived pre-session cookie); without it the request gets 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.settings import WebSettings
from bot.store.base import Store
from bot.weblinks import LoginLinks

SESSION_COOKIE = "sb_session"
PRE_COOKIE = "sb_pre"
SESSION_TTL = 12 * 3600
KEY_META = "web_secret_key"
CSRF_FIELD = "csrf"
# Reachable without a session: the sign-in pages and the stylesheet.
PUBLIC_PREFIXES = ("/login/", "/signin", "/static/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def signing_key(store: Store, settings: WebSettings) -> bytes:
    """The cookie-signing key: the environment's secret, else one generated once and kept in
    the store, so sessions survive restarts and every replica on one database agrees."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode("utf-8")
    stored = await store.get_meta(KEY_META)
    if not stored:
        stored = secrets.token_hex(32)
        await store.set_meta(KEY_META, stored)
    return stored.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Session:
    actor: str
    nonce: str
    expires: float

    @property
    def actor_label(self) -> str:
        """The actor recorded with every change made in the dashboard."""
        return f"web:{self.actor}"


class Auth:
    """Signs and checks cookies and CSRF tokens with one key."""

    def __init__(self, key: bytes, links: LoginLinks, secure: bool, clock: Callable[[], float] = time.time) -> None:
        self.key = key
        self.links = links
        self.secure = secure
        self.clock = clock

    def _mac(self, purpose: str, data: str) -> str:
        return _b64(hmac.new(self.key, f"{purpose}:{data}".encode(), hashlib.sha256).digest())

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._mac('session', body)}"

    def unsign(self, value: str) -> dict[str, Any] | None:
        body, _, mac = value.partition(".")
        if not body or not hmac.compare_digest(mac, self._mac("session", body)):
            return None
        try:
            data = json.loads(_unb64(body))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def session_of(self, request: web.Request) -> Session | None:
        """The request's valid, unexpired session, or None."""
        data = self.unsign(request.cookies.get(SESSION_COOKIE, ""))
        if data is None:
            return None
        try:
            session = Session(str(data["actor"]), str(data["nonce"]), float(data["exp"]))
        except (KeyError, TypeError, ValueError):
            return None
        return session if session.expires > self.clock() else None

    def csrf(self, session: Session) -> str:
        return self._mac("csrf", session.nonce)

    def pre_csrf(self, nonce: str) -> str:
        return self._mac("pre", nonce)

    def _cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path="/", httponly=True, samesite="Strict", secure=self.secure
        )

    def start(self, response: web.StreamResponse, actor: str) -> None:
        """Sign ``actor`` in on ``response``."""
        payload = {"actor": actor, "nonce": secrets.token_urlsafe(16), "exp": self.clock() + SESSION_TTL}
        self._cookie(response, SESSION_COOKIE, self.sign(payload), SESSION_TTL)
        response.del_cookie(PRE_COOKIE, path="/")

    def new_pre(self) -> tuple[str, str]:
        """A pre-session nonce for the sign-in page's cookie, and the form's CSRF token for it."""
        nonce = secrets.token_urlsafe(16)
        return nonce, self.pre_csrf(nonce)

    def set_pre(self, response: web.StreamResponse, nonce: str) -> None:
        self._cookie(response, PRE_COOKIE, nonce, 15 * 60)

    def end(self, response: web.StreamResponse) -> None:
        response.del_cookie(SESSION_COOKIE, path="/")


async def form_token(request: web.Request) -> str:
    """The CSRF token a form posted (an empty string when there is none)."""
    form = await request.post()
    value = form.get(CSRF_FIELD, "")
    return value if isinstance(value, str) else ""


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path == "/signin"


def middleware(auth: Auth) -> Any:
    """Redirect requests without a session to the sign-in page; refuse a POST whose CSRF
    token is missing or wrong with 403."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_public(request.path):
            return await handler(request)
        session = auth.session_of(request)
        if session is None:
            raise web.HTTPSeeOther("/signin")
        if request.method not in ("GET", "HEAD") and not hmac.compare_digest(
            await form_token(request), auth.csrf(session)
        ):
            raise web.HTTPForbidden(text="403: this form's CSRF token is missing or wrong; reload the page and retry.")
        return await handler(request)

    return check
