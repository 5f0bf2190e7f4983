"""Events end to end: mentions answered in threads, auto-replies with every rule that keeps
them quiet, and text files downloaded with the bot token."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.engine import Engine
from tests.core import CAUSE_ID, OUTER_ID, UNTRUSTED_PASTE, Core

from .fake_slack import BOT_ID, BOT_TOKEN, BOT_USER, FakeSlack
from .helpers import HELP_CHANNEL, HttpBot, start_http
from .payloads import block_action_payload, mention_event, message_event

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'
REFUSED = "Socket SO_ERROR [61: Connection refused] on connect"


def posts(http: HttpBot, channel: str | None = None) -> list[dict[str, object]]:
    return [c.args for c in http.fake.api("chat.postMessage") if channel is None or c.args.get("channel") == channel]


async def control(http: HttpBot, channel: str = "CCONTROL") -> None:
    """A mention that is certainly answered, sent after events that must stay unanswered.

    Its reply is posted only after the earlier events' handlers (which do less work) ran.
    """
    before = len(posts(http, channel))
    await http.sender.event(mention_event(OFFLINE, channel=channel))
    await http.fake.wait_for(lambda: len(posts(http, channel)) > before)


# ---------------------------------------------------------------- mentions


async def test_mention_is_answered_in_a_thread(http: HttpBot) -> None:
    status, _ = await http.sender.event(mention_event(OFFLINE, channel="C1", ts="1700000002.000001"))
    assert status == 200
    [post] = await http.fake.wait_for(lambda: posts(http))
    assert post["channel"] == "C1" and post["thread_ts"] == "1700000002.000001"
    assert "NSURLErrorNotConnectedToInternet" in json.dumps(post["blocks"])
    assert http.fake.calls[0].method == "auth.test"  # Bolt learned the bot's ids first


async def test_mention_inside_a_thread_replies_to_that_thread(http: HttpBot) -> None:
    event = mention_event(OFFLINE, channel="C1", ts="1700000003.000009", thread_ts="1700000003.000001")
    await http.sender.event(event)
    [post] = await http.fake.wait_for(lambda: posts(http))
    assert post["thread_ts"] == "1700000003.000001"


async def test_bare_mention_gets_a_hint(http: HttpBot, engine: Engine) -> None:
    await http.sender.event(mention_event("", channel="C1"))
    [post] = await http.fake.wait_for(lambda: posts(http))
    assert "Find answer" in json.dumps(post["blocks"])
    assert (await engine.stats()).queries == 0


async def test_mention_by_another_bot_is_ignored(http: HttpBot) -> None:
    await http.sender.event(mention_event(OFFLINE, channel="COTHER", bot_id="B999"))
    await control(http)
    assert posts(http, "COTHER") == []


@pytest.fixture
async def bundled_http(fake: FakeSlack, bundled_core: Core) -> AsyncIterator[HttpBot]:
    """A bot in HTTP mode over the bundled knowledge base."""
    running = await start_http(fake, bundled_core.engine, bundled_core.curator)
    yield running
    await running.bot.close()


def texts(blocks: Any) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] in ("header", "section")]


def buttons(blocks: Any) -> dict[str, str]:
    """action id -> value of every button, in accessories and actions blocks."""
    found = [b["accessory"] for b in blocks if "accessory" in b]
    found += [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return {e["action_id"]: e["value"] for e in found if e.get("type") == "button"}


async def test_a_mention_gets_the_short_answer_and_more_shows_the_rest_privately(bundled_http: HttpBot) -> None:
    http = bundled_http
    await http.sender.event(mention_event("what is errSSLNoRootCert -9813", channel="C1"))
    [post] = await http.fake.wait_for(lambda: posts(http))
    blocks = post["blocks"]
    shown = texts(blocks)
    assert shown[0].startswith("errSSLNoRootCert (-9813)")
    checks = next(t for t in shown if t.startswith("*What to check first*"))
    assert "• `openssl s_client" in checks and "• Does Safari on the same device trust the site?" in checks
    assert not any("Self-signed server certificates" in t for t in shown)  # "Usual causes" waits for More
    assert sum(len(t) for t in shown) < 900  # markup and link targets included
    assert buttons(blocks)["full_answer_0"] == CAUSE_ID
    await http.sender.interaction(block_action_payload(http.fake, "full_answer_0", CAUSE_ID, user="U8"))
    [full] = await http.fake.wait_for(http.fake.responses)
    assert full["response_type"] == "ephemeral" and full["replace_original"] is False
    assert any("Self-signed server certificates" in t for t in texts(full["blocks"]))


async def test_a_combined_answer_is_auto_posted_with_both_entries(bundled_http: HttpBot, bundled_core: Core) -> None:
    http = bundled_http
    await http.sender.event(message_event(UNTRUSTED_PASTE, ts="1700000040.000001"))
    [post] = await http.fake.wait_for(lambda: posts(http, HELP_CHANNEL))
    assert post["thread_ts"] == "1700000040.000001"
    blocks = post["blocks"]
    shown = texts(blocks)
    assert shown[0].startswith("-1202 (server trust evaluation failed) because errSSLNoRootCert -9813")
    assert post["text"].startswith("-1202 (server trust evaluation failed) because")
    assert shown[1].startswith("-9813 (errSSLNoRootCert) means")  # the cause, in short
    assert any(t.startswith("*What to check first*") for t in shown)
    # The headline says what the outer error is: not repeated below it; its "More" sits by the links.
    assert not any("-1202 means" in t or t.startswith("*-1202 (server") for t in shown[1:])
    [links] = [t for t in shown if t.startswith("*Links*")]
    [links_block] = [b for b in blocks if b.get("text", {}).get("text", "").startswith("*Links*")]
    assert links_block["accessory"]["value"] == OUTER_ID
    assert "documentation/security/errsslnorootcert" in links and "urlerror/servercertificateuntrusted" in links
    more = buttons(blocks)
    assert more["full_answer_0"] == CAUSE_ID and more["full_answer_1"] == OUTER_ID
    assert OUTER_ID not in [v for k, v in more.items() if k.startswith("other_match_")]  # not offered twice
    await http.sender.interaction(block_action_payload(http.fake, "full_answer_1", OUTER_ID, channel=HELP_CHANNEL))
    [full] = await http.fake.wait_for(http.fake.responses)
    assert full["response_type"] == "ephemeral"
    assert texts(full["blocks"])[0].startswith("NSURLErrorServerCertificateUntrusted (-1202")


# ---------------------------------------------------------------- auto-replies


async def test_confident_top_level_message_in_a_help_channel_gets_a_threaded_reply(http: HttpBot) -> None:
    await http.sender.event(message_event(OFFLINE, ts="1700000004.000001"))
    [post] = await http.fake.wait_for(lambda: posts(http, HELP_CHANNEL))
    assert post["thread_ts"] == "1700000004.000001"
    assert post["unfurl_links"] is False


async def test_unconfident_message_gets_no_reply(http: HttpBot) -> None:
    await http.sender.event(message_event("anyone here used NETransparentProxyProvider for something?"))
    await control(http)
    assert posts(http, HELP_CHANNEL) == []


async def test_no_auto_reply_outside_help_channels_until_turned_on(http: HttpBot) -> None:
    await http.sender.event(message_event(OFFLINE, channel="CRANDOM"))
    await control(http)
    assert posts(http, "CRANDOM") == []
    # Turning the channel on (what /kb channel on does) makes the next message answered.
    await http.bot.state.engine.set_channel("slack", "T0TEST", "CRANDOM", "test", auto_reply=True)
    await http.sender.event(message_event(OFFLINE, channel="CRANDOM"))
    await http.fake.wait_for(lambda: posts(http, "CRANDOM"))


async def test_ignored_messages(http: HttpBot) -> None:
    ignored = [
        message_event(OFFLINE, bot_id="B999", subtype="bot_message"),  # another bot
        message_event(OFFLINE, bot_id="B999"),  # a bot posting as a user-like message
        message_event(OFFLINE, user=BOT_USER),  # the bot itself (Bolt drops it)
        message_event(OFFLINE, bot_id=BOT_ID),  # the bot itself, by bot id
        message_event(OFFLINE, subtype="message_changed"),  # an edit
        message_event(OFFLINE, subtype="channel_join"),  # other subtypes
        message_event(OFFLINE, subtype="thread_broadcast"),
        message_event(OFFLINE, ts="1700000005.000002", thread_ts="1700000005.000001"),  # a reply in a thread
        message_event(f"<@{BOT_USER}> {OFFLINE}"),  # mentions: app_mention answers those
        message_event(OFFLINE, channel_type="im"),
    ]
    for event in ignored:
        await http.sender.event(event)
    await control(http)
    assert posts(http, HELP_CHANNEL) == []


async def test_one_auto_reply_per_thread_even_when_slack_retries(http: HttpBot) -> None:
    event = message_event(OFFLINE, ts="1700000006.000001")
    await http.sender.event(event)
    await http.fake.wait_for(lambda: posts(http, HELP_CHANNEL))
    http.clock.now += 3600  # not the cooldown that stops the second one
    await http.sender.event(event)
    await control(http)
    assert len(posts(http, HELP_CHANNEL)) == 1


async def test_per_channel_cooldown(http: HttpBot) -> None:
    await http.sender.event(message_event(OFFLINE))
    await http.fake.wait_for(lambda: posts(http, HELP_CHANNEL))
    http.clock.now += 30  # cooldown is 60 s
    await http.sender.event(message_event(REFUSED))
    await control(http)
    assert len(posts(http, HELP_CHANNEL)) == 1
    http.clock.now += 31
    await http.sender.event(message_event(REFUSED))
    await http.fake.wait_for(lambda: len(posts(http, HELP_CHANNEL)) == 2)


async def test_channel_threshold_is_honoured(http: HttpBot) -> None:
    await http.bot.state.engine.set_channel("slack", "T0TEST", HELP_CHANNEL, "test", threshold=1.0, configured=True)
    await http.sender.event(message_event(REFUSED))
    await control(http)
    assert posts(http, HELP_CHANNEL) == []


# ---------------------------------------------------------------- files


async def test_text_file_is_downloaded_with_the_bot_token_and_answered(http: HttpBot) -> None:
    typed = f"{http.fake.base}/typed/evil.log"
    shared = http.fake.add_file("F1", "session.log", b"2026-11-01 task failed: " + OFFLINE.encode())
    event = message_event(f"my request fails, log attached, also see {typed}", subtype="file_share", files=[shared])
    await http.sender.event(event)
    [post] = await http.fake.wait_for(lambda: posts(http, HELP_CHANNEL))
    assert "NSURLErrorNotConnectedToInternet" in json.dumps(post["blocks"])
    assert http.fake.api("files.info")[0].args["file"] == "F1"
    assert http.fake.downloads == [("/files/F1/session.log", f"Bearer {BOT_TOKEN}")]
    assert not any(path.startswith("/typed") for path in http.fake.hits)  # a URL someone typed


async def test_mention_with_a_crash_file(http: HttpBot) -> None:
    crash = b"Exception Type:  EXC_BAD_ACCESS (SIGSEGV)\nThread 3 name:  Dispatch queue: NEFlow queue\n"
    shared = http.fake.add_file("F2", "DNSProxy-2026.ips", crash)
    await http.sender.event(mention_event("my dns proxy crashes", channel="C1", files=[shared]))
    [post] = await http.fake.wait_for(lambda: posts(http, "C1"))
    assert "NEFlow queue" in json.dumps(post["blocks"])


async def test_files_that_are_not_read(http: HttpBot) -> None:
    big = http.fake.add_file("F3", "huge.log", b"x" * 20_000)  # max_file_bytes is 10,000
    image = {"id": "F4", "name": "screenshot.png"}
    elsewhere = http.fake.add_file("F5", "other.txt", b"hello", url_private_download="https://example.com/other.txt")
    await http.sender.event(mention_event(OFFLINE, channel="C1", files=[big, image, elsewhere]))
    [post] = await http.fake.wait_for(lambda: posts(http, "C1"))
    text = json.dumps(post["blocks"])
    assert "huge.log was not read" in text
    assert "screenshot.png was not read" in text
    assert "other.txt could not be read" in text
    assert http.fake.downloads == []  # neither the large file nor a foreign host was fetched
    assert [c.args["file"] for c in http.fake.api("files.info")] == ["F3", "F5"]


async def test_a_download_redirect_is_not_followed(http: HttpBot) -> None:
    http.fake.redirect_downloads = True
    shared = http.fake.add_file("F6", "session.log", OFFLINE.encode())
    await http.sender.event(mention_event("see log", channel="C1", files=[shared]))
    [post] = await http.fake.wait_for(lambda: posts(http, "C1"))
    assert "session.log could not be downloaded" in json.dumps(post["blocks"])
    assert "/signin" not in http.fake.hits
