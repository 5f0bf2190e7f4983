"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright.

Nothing is downloaded at run time (no ``playwright install``): the test launches
``/usr/bin/chromium`` with a fresh profile. Screenshots of each page go under the test's
tmp_path, and to ``$DASHBOARD_SCREENSHOTS`` too when that is set (not a SUPPORTBOT_
variable: the test fixtures clear those).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.web import Dashboard, build_app, serve
from bot.models import Incoming, Mode, Place
from bot.store.sqlite import SQLiteStore
from bot.weblinks import LoginLinks
from tests.core import Core

from .fake_review import FakeReviewQueue, miss
from .helpers import path_of, settings_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason="Debian's chromium is not installed (CI installs it: .ci/run)"
)
playwright = pytest.importorskip("playwright.async_api", reason="playwright (the dev extra) is not installed")


class Shots:
    """Screenshots into tmp_path (and $DASHBOARD_SCREENSHOTS when set)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        extra = os.environ.get("DASHBOARD_SCREENSHOTS")
        self.extra = Path(extra) if extra else None

    async def take(self, page: Any, name: str) -> None:
        path = self.root / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        if self.extra is not None:
            self.extra.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, self.extra / path.name)


@pytest.fixture
async def site(core: Core, store: SQLiteStore, tmp_path: Path) -> AsyncIterator[tuple[str, Dashboard]]:
    for text, platform in (("NSURLErrorDomain -1009", "discord"), ("connection refused -1004", "slack"),
                           ("NSURLErrorDomain -1009 again", "slack"), ("what's for lunch", "discord")):  # fmt: skip
        await core.engine.answer(Incoming(text, Mode.SLASH, Place(platform, "g", "c"), f"{platform}:u"))
    review = FakeReviewQueue(
        core.engine,
        core.curator,
        [miss(1, "How do I pin a certificate in URLSession?"), miss(2, "cooking recipes here?", platform="slack")],
    )
    settings = settings_for()
    dash = Dashboard(core.engine, core.curator, review, settings, LoginLinks(store, settings.web))
    async with serve(await build_app(dash), "127.0.0.1", 0) as port:
        yield f"http://127.0.0.1:{port}", dash


async def launch(pw: Any, profile: Path) -> Any:
    return await pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, viewport={"width": 1100, "height": 800}
    )


async def test_dashboard_in_a_browser(site: tuple[str, Dashboard], tmp_path: Path) -> None:
    base, dash = site
    shots = Shots(tmp_path)
    requested: list[str] = []
    async with playwright.async_playwright() as pw:
        browser = await launch(pw, tmp_path / "profile")
        try:
            page = browser.pages[0] if browser.pages else await browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            link = await sign_in_and_look_around(page, base, dash, shots)
            await create_from_review(page, base, dash, shots)
            await refused_and_forbidden(page, base, dash, shots, used=link)
        finally:
            await browser.close()
        # A fresh browser without a session is sent to the sign-in page.
        fresh = await launch(pw, tmp_path / "profile2")
        try:
            page = await fresh.new_page()
            await page.goto(f"{base}/entries")
            assert page.url == f"{base}/signin"
        finally:
            await fresh.close()
    # Everything the pages loaded came from the dashboard itself: it works offline.
    assert requested and all(url.startswith(base) for url in requested), requested


async def sign_in_and_look_around(page: Any, base: str, dash: Dashboard, shots: Shots) -> str:
    """Sign in through a link; returns the (now used) link."""
    await page.goto(f"{base}/")
    assert page.url == f"{base}/signin"
    await shots.take(page, "01-signin")
    link = await dash.links.issue("discord:1234")
    await page.goto(base + path_of(link))
    await shots.take(page, "02-login-confirm")
    await page.click("#signin")
    await page.wait_for_url(f"{base}/")
    assert await page.locator("svg.chart").count() == 4
    assert "discord:1234" in await page.inner_text("header")
    await shots.take(page, "03-overview")
    await page.goto(f"{base}/settings")
    assert "set (hidden)" in await page.inner_text("main") or "not set" in await page.inner_text("main")
    await shots.take(page, "08-settings")
    return link


async def create_from_review(page: Any, base: str, dash: Dashboard, shots: Shots) -> None:
    await page.click("nav >> text=Review")
    await shots.take(page, "04-review")
    await page.click("text=How do I pin a certificate in URLSession?")
    assert await page.input_value("#create input[name=id]") == "how-do-i-pin"
    await shots.take(page, "05-review-item")
    await page.fill("#create input[name=id]", "pin-certificate")
    await page.fill("#create input[name=title]", "Pinning a certificate in URLSession")
    await page.fill(
        "#create textarea[name=summary]",
        "Evaluate the server trust in the authentication challenge and compare the public key.",
    )
    await page.fill(
        "#create textarea[name=body]",
        "- Compare the `SecKey`.\n- See [pinning](https://developer.apple.com/news/?id=g9ejcf8y).",
    )
    await page.fill("#create textarea[name=aliases]", "certificate pinning\npin a certificate")
    await page.click("#create button[type=submit]")
    await page.wait_for_url(f"{base}/entries/pin-certificate?note=created")
    assert "Entry created." in await page.inner_text("main")
    assert await page.locator(".answer a[href='https://developer.apple.com/news/?id=g9ejcf8y']").count() == 1
    await shots.take(page, "06-entry-created")
    [rev] = await dash.engine.history("pin-certificate")
    assert rev.actor == "web:discord:1234"
    answer = await dash.engine.answer(Incoming("how do I do certificate pinning?", Mode.SLASH))
    assert answer is not None and answer.best is not None and answer.best.entry.id == "pin-certificate"
    await page.goto(f"{base}/entries?q=certificate+pinning")
    assert "pin-certificate" in await page.inner_text("main")
    await shots.take(page, "07-entries-search")


async def refused_and_forbidden(page: Any, base: str, dash: Dashboard, shots: Shots, used: str) -> None:
    # A form without its CSRF token: 403, and the item stays in the queue.
    await page.goto(f"{base}/review/2")
    await page.locator("#dismiss input[name=csrf]").evaluate("e => e.remove()")
    await page.click("#dismiss button[type=submit]")
    assert "403" in await page.inner_text("body")
    await shots.take(page, "09-csrf-403")
    assert all(number != 2 for number, *_ in dash.review.closed)  # type: ignore[attr-defined]
    # The link used to sign in, opened again: refused.
    await page.goto(base + path_of(used))
    assert "already used or has expired" in await page.inner_text("main")
    await shots.take(page, "10-used-link")
    expired = LoginLinks(dash.engine.store, dash.settings.web, ttl=-1)
    await page.goto(base + path_of(await expired.issue("alice")))
    assert "already used or has expired" in await page.inner_text("main")
