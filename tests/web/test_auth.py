"""Signing in: one-time links (used or expired are refused), sessions, CSRF on every form."""

from __future__ import annotations

import pytest
from aiohttp import web

from adapters.web import Dashboard
from adapters.web.auth import KEY_META, PRE_COOKIE, SESSION_COOKIE, Auth, signing_key
from bot.settings import WebSettings
from bot.store.sqlite import SQLiteStore
from bot.weblinks import LoginLinks
from tests.core import Core

from .helpers import Web, open_web, path_of, settings_for

PAGES = ("/", "/review", "/review/1", "/entries", "/entries/offline", "/settings")


@pytest.mark.parametrize("path", PAGES)
async def test_without_a_session_every_page_redirects_to_sign_in(web: Web, path: str) -> None:
    response = await web.client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/signin"
    text = await web.page("/signin")
    assert "/kb dashboard" in text and "supportbot web login-url" in text


async def test_a_post_without_a_session_changes_nothing(web: Web) -> None:
    response = await web.client.post("/review/1/dismiss", data={"reason": "x"}, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/signin")
    assert web.review.closed == []


async def test_a_link_signs_in_once(web: Web) -> None:
    link = await web.links.issue("discord:42")
    assert link.startswith("http://127.0.0.1:0/login/")
    path = path_of(link)
    confirm = await web.page(path)
    assert "discord:42" in confirm and "Sign in" in confirm
    status, location, _ = await web.post(path, {})
    assert (status, location) == (303, "/")
    assert "discord:42" in await web.page("/")
    # The same link again: refused, whether opened or posted.
    web.client.session.cookie_jar.clear()
    assert "already used or has expired" in await web.page(path, status=403)
    assert await web.links.redeem(path.rsplit("/", 1)[1]) is None


async def test_opening_a_link_does_not_use_it(web: Web) -> None:
    """Chat link previews fetch a link; only the button's POST uses it up."""
    path = path_of(await web.links.issue("slack:U1"))
    for _ in range(3):
        await web.page(path)
    status, location, _ = await web.post(path, {})
    assert (status, location) == (303, "/")


async def test_expired_and_unknown_links_are_refused(web: Web, store: SQLiteStore) -> None:
    expired = LoginLinks(store, web.dash.settings.web, ttl=-1)
    path = path_of(await expired.issue("alice"))
    assert "already used or has expired" in await web.page(path, status=403)
    assert "already used or has expired" in await web.page("/login/not-a-token", status=403)
    # Posting the expired one anyway (with a valid pre-session token from another link) fails too.
    fresh = path_of(await web.links.issue("bob"))
    pre = await web.csrf(fresh)
    response = await web.client.post(path, data={"csrf": pre}, allow_redirects=False)
    assert response.status == 403
    assert SESSION_COOKIE not in {c.key for c in web.client.session.cookie_jar}


async def test_sign_in_form_without_its_csrf_token_is_refused(web: Web) -> None:
    path = path_of(await web.links.issue("alice"))
    await web.page(path)
    response = await web.client.post(path, data={}, allow_redirects=False)
    assert response.status == 403
    # The link was not used up by the refused attempt.
    status, location, _ = await web.post(path, {})
    assert (status, location) == (303, "/")


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/review/1/dismiss", {"reason": "noise"}),
        ("/review/1/teach", {"entry_id": "offline", "what": "alias"}),
        ("/review/1/create", {"id": "x", "kind": "howto", "title": "t", "summary": "s"}),
        ("/entries/offline/revert", {"rev": "1"}),
        ("/logout", {}),
    ],
)
async def test_every_form_without_its_csrf_token_gets_403(web: Web, path: str, data: dict[str, str]) -> None:
    await web.sign_in()
    for token in (None, "wrong"):
        sent = data if token is None else {**data, "csrf": token}
        response = await web.client.post(path, data=sent, allow_redirects=False)
        assert response.status == 403, path
    assert web.review.closed == []
    assert len(await web.dash.engine.history("offline")) == 1
    await web.page("/")  # still signed in


async def test_a_tampered_or_foreign_session_cookie_is_no_session(web: Web, store: SQLiteStore) -> None:
    other = Auth(b"another key", web.links, secure=False)
    forged = other.sign({"actor": "mallory", "nonce": "n", "exp": 9e12})
    web.client.session.cookie_jar.update_cookies({SESSION_COOKIE: forged})
    response = await web.client.get("/", allow_redirects=False)
    assert response.status == 303
    mine = web.dash.auth
    assert mine is not None
    expired = mine.sign({"actor": "alice", "nonce": "n", "exp": 1.0})
    web.client.session.cookie_jar.update_cookies({SESSION_COOKIE: expired})
    assert (await web.client.get("/", allow_redirects=False)).status == 303


async def test_sign_out_ends_the_session(web: Web) -> None:
    await web.sign_in()
    status, location, _ = await web.post("/logout", {}, form_of="/")
    assert (status, location) == (303, "/signin")
    assert (await web.client.get("/", allow_redirects=False)).status == 303


async def test_cookie_flags_follow_the_public_address(core: Core, store: SQLiteStore) -> None:
    for public_url, secure in (("", False), ("https://support.example.com", True)):
        client, dash, _ = await open_web(core, store, settings_for(public_url=public_url))
        try:
            link = await dash.links.issue("alice")
            assert link.startswith(public_url or "http://127.0.0.1:0/")
            # The sign-in page's own cookie, as served.
            pre = (await client.get(path_of(link))).cookies[PRE_COOKIE]
            assert bool(pre["secure"]) is secure
            assert auth_cookie(dash, secure)
        finally:
            await client.close()


def auth_cookie(dash: Dashboard, secure: bool) -> bool:
    """The session cookie ``start`` sets: HttpOnly, SameSite=Strict, Secure as configured."""
    assert dash.auth is not None
    response = web.Response()
    dash.auth.start(response, "alice")
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert bool(cookie["secure"]) is secure
    return True


async def test_the_signing_key_comes_from_the_environment_or_the_store(store: SQLiteStore) -> None:
    generated = await signing_key(store, WebSettings())
    assert len(generated) == 64 and await store.get_meta(KEY_META) == generated.decode()
    assert await signing_key(store, WebSettings()) == generated  # kept across restarts
    assert await signing_key(store, WebSettings(secret_key="from-env")) == b"from-env"  # type: ignore[arg-type]


def test_security_headers_are_strict() -> None:
    from adapters.web.app import HEADERS

    assert "script-src" not in HEADERS["Content-Security-Policy"]
    assert "default-src 'none'" in HEADERS["Content-Security-Policy"]
    assert HEADERS["Referrer-Policy"] == "no-referrer"


async def test_responses_carry_the_headers(web: Web) -> None:
    response = await web.client.get("/signin")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
