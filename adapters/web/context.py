"""What every page shares: the :class:`Dashboard` (core, review queue, settings, templates)
and :func:`render`, which fills in the navigation, the signed-in actor and the CSRF token."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from adapters.web import auth
from adapters.web.reviewport import ReviewQueue
from bot.curator import Curator
from bot.engine import Engine
from bot.settings import Settings
from bot.weblinks import LoginLinks

HERE = Path(__file__).parent
NAV = (("/", "Overview"), ("/review", "Review"), ("/entries", "Entries"), ("/settings", "Settings"))


@dataclass
class Dashboard:
    """What the pages use: the core, the review queue (None until one is connected), settings."""

    engine: Engine
    curator: Curator
    review: ReviewQueue | None
    settings: Settings
    links: LoginLinks
    auth: auth.Auth | None = None
    templates: jinja2.Environment = field(
        default_factory=lambda: jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
    )

    @property
    def hosts(self) -> frozenset[str]:
        return self.curator.hosts


DASHBOARD = web.AppKey("dashboard", Dashboard)


def dashboard_of(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]


def session_of(request: web.Request) -> auth.Session | None:
    """The signed-in session (checked again: cheap, and nothing is kept on the request)."""
    dash = dashboard_of(request)
    return dash.auth.session_of(request) if dash.auth is not None else None


def actor_of(request: web.Request) -> str:
    """``web:<actor>``: who a change made here is recorded as (the middleware let only sessions in)."""
    session = session_of(request)
    if session is None:
        raise web.HTTPSeeOther("/signin")
    return session.actor_label


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A page from ``templates/``, with the navigation, the signed-in actor and the CSRF token."""
    dash = dashboard_of(request)
    session = session_of(request)
    assert dash.auth is not None
    page = dash.templates.get_template(template).render(
        nav=NAV,
        path=request.path,
        session=session,
        csrf=dash.auth.csrf(session) if session else "",
        **context,
    )
    return web.Response(text=page, status=status, content_type="text/html")
