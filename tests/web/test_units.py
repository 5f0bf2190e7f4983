"""The dashboard's small parts: the Markdown subset, the SVG charts, the entry form, the
login-url command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.web.forms import entry_fields, entry_from_form
from adapters.web.markdown import render
from adapters.web.pages.overview import charts, last_days
from adapters.web.svg import bar_chart, hbar_chart, line_chart
from bot.models import Entry, ErrorRef, Link, SupportBotError
from bot.store.base import DailyCount
from bot.store.sqlite import SQLiteStore
from bot.weblinks import digest

HOSTS = frozenset({"developer.apple.com"})


def test_markdown_subset() -> None:
    text = "First line\nsame paragraph.\n\n1. one\n2. two [doc](https://developer.apple.com/a)\n\n~~~\n<raw>\n~~~"
    html = render(text, HOSTS)
    assert "<p>First line same paragraph.</p>" in html
    assert (
        '<ol><li>one</li><li>two <a href="https://developer.apple.com/a" rel="noopener noreferrer">doc</a></li></ol>'
        in html
    )
    assert "<pre><code>&lt;raw&gt;</code></pre>" in html


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/a", "javascript:alert", "http://developer.apple.com.evil.example/", "data:text/html,x"],
)
def test_markdown_links_only_to_allowed_hosts(url: str) -> None:
    html = render(f"[label]({url})", HOSTS)
    assert html == "<p>label</p>"


def test_markdown_escapes_everything_else() -> None:
    html = render('<img src=x onerror="alert(1)"> & "quotes" # heading **bold**', HOSTS)
    assert "<img" not in html and "&lt;img" in html and "&amp;" in html and "&#34;quotes&#34;" in html
    assert (
        render("`[x](https://developer.apple.com/)`", HOSTS) == "<p><code>[x](https://developer.apple.com/)</code></p>"
    )
    assert render("", HOSTS) == ""


def test_charts_escape_labels_and_scale() -> None:
    svg = bar_chart("t<", ["a<b"], {"<script>": [3]})
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&lt;b" in svg
    line = line_chart("t", ["d1", "d2", "d3"], {"x": [50.0, None, 150.0]})
    assert line.count("<circle") == 2 and "<polyline" in line
    assert "&lt;id&gt;" in hbar_chart("t", [("<id>", 4)])


def test_overview_charts_fill_missing_days() -> None:
    days = last_days(3)
    counts = [DailyCount(days[1], "slack", 4, 2, 1, 1, 1), DailyCount("1999-01-01", "cli", 9, 9, 9, 9, 9)]
    out = charts(counts, days)
    assert out["total"] == 4
    assert "slack" in str(out["questions"]) and "cli" not in str(out["questions"])


def test_entry_form_round_trip() -> None:
    entry = Entry(
        "pin-cert", "howto", "Pinning", "Compare keys.", "Body.",
        errors=(ErrorRef("NSURLErrorDomain", -1202, "NSURLErrorServerCertificateUntrusted", "related"),),
        aliases=("pin", "pinning"), tags=("tls",), patterns=("SecTrustEvaluateWithError",),
        links=(Link("Identity Pinning", "https://developer.apple.com/news/?id=g9ejcf8y"),),
    )  # fmt: skip
    assert entry_from_form(entry_fields(entry)) == entry


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "recipe", "kind must be one of"),
        ("title", "  ", "title is required"),
        ("errors", "NSURLErrorDomain abc", "not a whole number"),
        ("links", "https://developer.apple.com/", "URL title"),
    ],
)
def test_entry_form_says_what_it_cannot_read(field: str, value: str, message: str) -> None:
    fields = entry_fields(Entry("x", "howto", "T", "S"))
    with pytest.raises(SupportBotError, match=message):
        entry_from_form({**fields, field: value})


async def test_login_url_prints_a_link_the_store_accepts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "web.db"
    monkeypatch.setenv("SUPPORTBOT_STORE__PATH", str(db))
    monkeypatch.setenv("SUPPORTBOT_WEB__PUBLIC_URL", "https://support.example.com/")
    out = io.StringIO()
    import asyncio

    assert await asyncio.to_thread(main, ["web", "login-url", "--actor", "carol"], out) == 0
    link = out.getvalue().strip()
    assert link.startswith("https://support.example.com/login/")
    store = SQLiteStore(db)
    await store.open()
    try:
        token = link.rsplit("/", 1)[1]
        assert await store.take_web_token(digest(token), "2000-01-01T00:00:00+00:00") == "carol"
        assert await store.take_web_token(digest(token), "2000-01-01T00:00:00+00:00") is None
    finally:
        await store.close()


def test_public_url_must_be_an_http_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import load_settings

    monkeypatch.setenv("SUPPORTBOT_WEB__PUBLIC_URL", "javascript:alert(1)")
    with pytest.raises(SupportBotError, match=r"web\.public_url"):
        load_settings(None)
