"""The dashboard's aiohttp application: routes, templates, security headers, serving.

    app = await build_app(Dashboard(engine, curator, review, settings, links))
    async with serve(app, host, port) as port: ...

Pages live in :mod:`adapters.web.pages`; sign-in in :mod:`adapters.web.auth` and
:mod:`adapters.web.pages.login`. Templates autoescape everything; nothing is loaded from
another site, and there is no script at all.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from adapters.web import auth
from adapters.web.context import DASHBOARD, HERE, Dashboard, render
from adapters.web.pages import entries, login, overview, review, settings
from bot.models import NotFound, SupportBotError

log = logging.getLogger(__name__)
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The sign-in token is in the URL: never send it to a linked site.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@web.middleware
async def safety(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    """Security headers on every response; a user's mistake as a page, never a traceback."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(HEADERS)
        raise
    except NotFound as exc:
        response = render(request, "message.html", status=404, title="Not found", message=str(exc))
    except SupportBotError as exc:
        response = render(request, "message.html", status=400, title="Not done", message=str(exc))
    except Exception:
        log.exception("dashboard request %s %s failed", request.method, request.path)
        response = render(
            request, "message.html", status=500, title="Error", message="Something went wrong; see the log."
        )
    response.headers.update(HEADERS)
    return response


async def build_app(dash: Dashboard) -> web.Application:
    """The application, with the signing key read (or created) in the store."""
    key = await auth.signing_key(dash.engine.store, dash.settings.web)
    dash.auth = auth.Auth(key, dash.links, secure=dash.settings.web.public_url.startswith("https://"))
    app = web.Application(middlewares=[safety, auth.middleware(dash.auth)], client_max_size=1_000_000)
    app[DASHBOARD] = dash
    for page in (login, overview, review, entries, settings):
        page.register(app.router)
    app.router.add_static("/static/", HERE / "static", append_version=False)
    return app


@asynccontextmanager
async def serve(app: web.Application, host: str, port: int) -> AsyncIterator[int]:
    """Serve ``app`` until the block ends; yields the bound port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise SupportBotError(f"web dashboard: cannot listen on {host}:{port}: {exc.strerror}") from None
        bound = int(runner.addresses[0][1])
        log.info("web dashboard on http://%s:%s", host, bound)
        yield bound
    finally:
        await runner.cleanup()
