"""Signing in with a one-time link, and signing out.

``GET /login/{token}`` only shows a button (chat link previews fetch links; they must not use
them up); ``POST /login/{token}`` uses the token and starts the session.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from adapters.web.auth import PRE_COOKIE, form_token
from adapters.web.context import dashboard_of, render

REFUSED = "This sign-in link was already used or has expired. Ask for a new one: /kb dashboard in chat."


async def signin(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    assert dash.auth is not None
    if dash.auth.session_of(request) is not None:
        raise web.HTTPSeeOther("/")
    return render(request, "signin.html", title="Sign in", minutes=dash.links.minutes)


async def confirm(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    assert dash.auth is not None
    token = request.match_info["token"]
    actor = await dash.links.check(token)
    if actor is None:
        return render(request, "message.html", status=403, title="Link refused", message=REFUSED)
    nonce, pre = dash.auth.new_pre()
    response = render(request, "login.html", title="Sign in", actor=actor, token=token, pre=pre)
    dash.auth.set_pre(response, nonce)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    assert dash.auth is not None
    nonce = request.cookies.get(PRE_COOKIE, "")
    if not nonce or not hmac.compare_digest(await form_token(request), dash.auth.pre_csrf(nonce)):
        raise web.HTTPForbidden(text="403: this form's CSRF token is missing or wrong; open the link again.")
    actor = await dash.links.redeem(request.match_info["token"])
    if actor is None:
        return render(request, "message.html", status=403, title="Link refused", message=REFUSED)
    response = web.HTTPSeeOther("/")
    dash.auth.start(response, actor)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    assert dash.auth is not None
    response = web.HTTPSeeOther("/signin")
    dash.auth.end(response)
    raise response


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/signin", signin)
    router.add_get("/login/{token}", confirm)
    router.add_post("/login/{token}", login)
    router.add_post("/logout", logout)
