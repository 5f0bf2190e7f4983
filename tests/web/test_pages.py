"""Every page through aiohttp's test client, signed in: overview, review actions, entries with
history and revert, settings without secrets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.models import Incoming, Mode, Place, SupportBotError
from bot.settings import load_settings
from bot.store.sqlite import SQLiteStore
from tests.core import Core

from .helpers import Web, open_web, settings_for


async def ask(web: Web, text: str, platform: str, mode: Mode = Mode.SLASH) -> int | None:
    answer = await web.dash.engine.answer(Incoming(text, mode, Place(platform, "g", "c"), f"{platform}:u"))
    return answer.query_id if answer else None


async def test_overview_charts_the_questions(web: Web) -> None:
    first = await ask(web, "NSURLErrorDomain -1009", "discord")
    await ask(web, "NSURLErrorDomain -1009", "slack")
    await ask(web, "what is the weather like", "slack")
    assert first is not None
    await web.dash.engine.feedback(first, "discord:u", helpful=True)
    await web.sign_in()
    text = await web.page("/")
    assert text.count("<svg") == 4  # per day, shares, helpful rate, top entries
    assert "Questions per day by platform" in text and "discord" in text and "slack" in text
    assert "offline" in text  # the entry answered most
    assert "<b>3</b> questions" in text
    assert "100%</b> helpful" in text


async def test_daily_counts(web: Web, store: SQLiteStore) -> None:
    qid = await ask(web, "NSURLErrorDomain -1009", "discord")
    await ask(web, "nothing relevant at all here", "discord")
    await ask(web, "NSURLErrorDomain -1009", "slack", Mode.AUTO)
    assert qid is not None
    await web.dash.engine.feedback(qid, "discord:a", helpful=True)
    await web.dash.engine.feedback(qid, "discord:b", helpful=False)
    counts = {c.platform: c for c in await store.daily_counts(7)}
    assert (counts["discord"].questions, counts["discord"].answered, counts["discord"].auto_replied) == (2, 1, 0)
    assert (counts["discord"].helpful, counts["discord"].unhelpful) == (1, 1)
    assert (counts["slack"].questions, counts["slack"].auto_replied) == (1, 1)


async def test_review_queue_lists_open_items(web: Web) -> None:
    await web.sign_in()
    text = await web.page("/review")
    assert "How do I pin a certificate in URLSession?" in text
    assert "NSURLErrorDomain:-1022" in text


async def test_create_an_entry_from_a_review_item(web: Web) -> None:
    await web.sign_in("discord:42")
    form = await web.page("/review/1")
    assert 'value="how-do-i-pin"' in form  # prefilled from the draft
    fields = {
        "id": "pin-certificate",
        "kind": "howto",
        "title": "Pinning a certificate in URLSession",
        "summary": "Evaluate the server trust in urlSession(_:didReceive:completionHandler:) and compare keys.",
        "body": "Compare the **public key**, not the certificate.",
        "errors": "",
        "aliases": "pin a certificate\ncertificate pinning",
        "patterns": "",
        "tags": "tls",
        "links": "https://developer.apple.com/news/?id=g9ejcf8y Identity Pinning",
    }
    status, location, _ = await web.post("/review/1/create", fields, form_of="/review/1")
    assert (status, location) == (303, "/entries/pin-certificate?note=created")
    entry = await web.dash.engine.get_entry("pin-certificate")
    assert entry.links[0].title == "Identity Pinning"
    [rev] = await web.dash.engine.history("pin-certificate")
    assert rev.actor == "web:discord:42"
    answer = await web.dash.engine.answer(Incoming("how do I do certificate pinning", Mode.SLASH))
    assert answer is not None and answer.best is not None and answer.best.entry.id == "pin-certificate"
    assert web.review.closed == [(1, "created", "web:discord:42", "pin-certificate")]
    assert "Entry created." in await web.page(location)
    assert "How do I pin" not in await web.page("/review")


async def test_a_bad_entry_form_keeps_what_was_typed(web: Web) -> None:
    await web.sign_in()
    fields = {"id": "x-entry", "kind": "howto", "title": "A <b>title</b>", "summary": "", "errors": "NSURLErrorDomain"}
    status, _, text = await web.post("/review/1/create", fields, form_of="/review/1")
    assert status == 400
    assert "summary is required" in text
    assert 'value="A &lt;b&gt;title&lt;/b&gt;"' in text
    status, _, text = await web.post("/review/1/create", {**fields, "summary": "s"}, form_of="/review/1")
    assert status == 400 and "Domain code [symbol] [related]" in text
    assert web.review.closed == []


async def test_teach_and_dismiss(web: Web) -> None:
    await web.sign_in("alice")
    text = await web.page("/review/2")
    assert "NSURLErrorDomain -1022" in text
    status, location, _ = await web.post(
        "/review/2/teach", {"entry_id": "offline", "what": "alias"}, form_of="/review/2"
    )
    assert (status, location) == (303, "/entries/offline?note=taught")
    assert (await web.dash.engine.history("offline"))[-1].actor == "web:alice"
    status, location, _ = await web.post("/review/3/dismiss", {"reason": "off-topic"}, form_of="/review/3")
    assert (status, location) == (303, "/review?note=dismissed")
    assert web.review.closed[-1] == (3, "dismissed", "web:alice", "off-topic")
    # Acting on a handled item says so, as a page.
    status, _, text = await web.post("/review/3/dismiss", {"reason": "again"}, form_of="/review/1")
    assert status == 400 and "already handled" in text


async def test_without_a_review_queue_the_page_says_so(web: Web) -> None:
    web.dash.review = None
    await web.sign_in()
    assert "not connected" in await web.page("/review")
    assert "not connected" in await web.page("/review/1", status=400)


async def test_entries_search_list_and_one_entry(web: Web) -> None:
    await web.sign_in()
    listing = await web.page("/entries")
    assert "flow-crash" in listing and "offline" in listing
    found = await web.page("/entries?q=NSURLErrorDomain+-1009")
    assert "/entries/offline" in found and "Ranking" in found
    entry = await web.page("/entries/offline")
    assert "As the bot answers" in entry and "History" in entry
    await web.page("/entries/no-such-entry", status=404)
    await web.page("/review/999", status=404)
    await web.page("/review/abc", status=404)


async def test_entry_markdown_is_escaped_and_links_limited_to_allowed_hosts(web: Web) -> None:
    entry = await web.dash.engine.get_entry("offline")
    body = (
        "<script>alert(1)</script> and [docs](https://developer.apple.com/x) and [bad](https://evil.example/x)"
        " and [js](javascript:alert(1))\n\n- one `<code>`\n- two\n\n```\nlet x = <y>\n```"
    )
    # Written to the store directly: lint now refuses such links, and the page must hold even
    # for an entry that got in some other way (an old database, a restore).
    await web.store.put_entries([replace(entry, body=body)], "test", "hostile body")
    await web.dash.engine.rebuild()
    await web.sign_in()
    text = await web.page("/entries/offline")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert '<a href="https://developer.apple.com/x" rel="noopener noreferrer">docs</a>' in text
    assert "evil.example" not in text.split("History")[0] and "javascript:" not in text.split("History")[0]
    assert "<li>one <code>&lt;code&gt;</code></li>" in text
    assert "<pre><code>let x = &lt;y&gt;</code></pre>" in text


async def test_history_shows_diffs_and_revert_records_the_actor(web: Web) -> None:
    entry = await web.dash.engine.get_entry("offline")
    await web.dash.curator.save_entry(replace(entry, summary="A changed summary."), "discord:7", create=False)
    await web.sign_in("bob")
    text = await web.page("/entries/offline")
    assert '<span class="add">+summary = &#34;A changed summary.&#34;</span>' in text
    assert "Revert to revision 1" in text
    status, location, _ = await web.post("/entries/offline/revert", {"rev": "1"}, form_of="/entries/offline")
    assert (status, location) == (303, "/entries/offline?note=reverted")
    last = (await web.dash.engine.history("offline"))[-1]
    assert (last.actor, last.op) == ("web:bob", "revert")
    assert (await web.dash.engine.get_entry("offline")).summary == entry.summary


@pytest.mark.parametrize(
    "env",
    [
        {
            "SUPPORTBOT_DISCORD__TOKEN": "discord-secret-token-value",
            "SUPPORTBOT_SLACK__BOT_TOKEN": "xoxb-secret-bot-token",
            "SUPPORTBOT_SLACK__APP_TOKEN": "xapp-secret-app-token",
            "SUPPORTBOT_SLACK__SIGNING_SECRET": "signing-secret-value",
            "SUPPORTBOT_WEB__SECRET_KEY": "web-cookie-secret-value",
        }
    ],
)
async def test_settings_never_show_secrets(
    core: Core, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client, dash, review = await open_web(core, store, load_settings(None))
    web = Web(client, dash, review, store)
    try:
        await web.sign_in()
        text = await web.page("/settings")
        for value in env.values():
            assert value not in text
        assert text.count("set (hidden)") == len(env)
        assert "[web]" in text and "auto_threshold" in text
    finally:
        await client.close()


async def test_the_composition_roots_dashboard_serves(core: Core) -> None:
    """What ``supportbot web`` and ``supportbot run`` start: a real port, sign-in reachable,
    the review page honest about a queue that is not connected."""
    import aiohttp

    from adapters.web import dashboard

    settings = settings_for()
    async with dashboard(settings, core.engine, core.curator, review=None) as port:
        assert port > 0
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/review") as response:
            assert str(response.url).endswith("/signin") and response.status == 200
        # A port already taken is a clear message, not a traceback.
        taken = settings_for(port=port)
        with pytest.raises(SupportBotError, match=f"cannot listen on 127.0.0.1:{port}"):
            async with dashboard(taken, core.engine, core.curator, review=None):
                pass
