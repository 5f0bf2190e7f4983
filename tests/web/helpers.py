"""The dashboard over a real engine and SQLite store, with an in-memory review queue, served
on 127.0.0.1 by aiohttp's test server."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp.test_utils import TestClient, TestServer

from adapters.web import Dashboard, build_app
from adapters.web.auth import CSRF_FIELD
from bot.settings import Settings
from bot.store.sqlite import SQLiteStore
from bot.weblinks import LoginLinks
from tests.core import Core

from .fake_review import FakeReviewQueue, miss

CSRF_RE = re.compile(r'name="csrf" value="([^"]*)"')


@dataclass
class Web:
    client: TestClient  # type: ignore[type-arg]
    dash: Dashboard
    review: FakeReviewQueue
    store: SQLiteStore

    @property
    def links(self) -> LoginLinks:
        return self.dash.links

    async def page(self, path: str, status: int = 200) -> str:
        response = await self.client.get(path, allow_redirects=False)
        text = await response.text()
        assert response.status == status, (path, response.status, text[:500])
        return text

    async def csrf(self, path: str) -> str:
        """The CSRF token in the forms of ``path``."""
        match = CSRF_RE.search(await self.page(path))
        assert match, path
        return match.group(1)

    async def post(self, path: str, data: dict[str, str], *, form_of: str | None = None) -> tuple[int, str, str]:
        """POST with the CSRF token from ``form_of`` (default: ``path``'s own page); returns
        (status, Location, body)."""
        if form_of != "":
            data = {CSRF_FIELD: await self.csrf(form_of or path), **data}
        response = await self.client.post(path, data=data, allow_redirects=False)
        return response.status, response.headers.get("Location", ""), await response.text()

    async def sign_in(self, actor: str = "alice") -> None:
        """Sign in the way a person does: open a fresh link, press the button."""
        status, location, _ = await self.post(path_of(await self.links.issue(actor)), {})
        assert (status, location) == (303, "/"), status


def path_of(link: str) -> str:
    """``/login/TOKEN`` from a full sign-in link."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def settings_for(**web: object) -> Settings:
    return Settings.model_validate({"web": {"port": 0, **web}})


async def open_web(core: Core, store: SQLiteStore, settings: Settings) -> tuple[TestClient, Dashboard, FakeReviewQueue]:  # type: ignore[type-arg]
    review = FakeReviewQueue(
        core.engine,
        core.curator,
        [
            miss(1, "How do I pin a certificate in URLSession?"),
            miss(2, "Error Domain=NSURLErrorDomain Code=-1022 ATS blocked", (("NSURLErrorDomain", -1022),)),
            miss(3, "is this channel for cooking recipes", platform="slack"),
        ],
    )
    dash = Dashboard(core.engine, core.curator, review, settings, LoginLinks(store, settings.web))
    client = TestClient(TestServer(await build_app(dash), host="127.0.0.1"))
    await client.start_server()
    return client, dash, review
