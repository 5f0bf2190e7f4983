"""The web dashboard: overview charts, the review queue, entries and their history, settings.

Entry points for the composition root: :func:`dashboard` (serve it until the block ends).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.web.app import build_app, serve
from adapters.web.context import Dashboard
from adapters.web.reviewport import ReviewQueue
from bot.curator import Curator
from bot.engine import Engine
from bot.settings import Settings
from bot.weblinks import LoginLinks

__all__ = ["Dashboard", "build_app", "dashboard", "serve"]


@asynccontextmanager
async def dashboard(
    settings: Settings, engine: Engine, curator: Curator, review: ReviewQueue | None
) -> AsyncIterator[int]:
    """Serve the dashboard on ``[web] host``/``port`` until the block ends; yields the port."""
    links = LoginLinks(engine.store, settings.web)
    app = await build_app(Dashboard(engine, curator, review, settings, links))
    async with serve(app, settings.web.host, settings.web.port) as port:
        yield port
