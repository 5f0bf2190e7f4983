"""Hostile knowledge bodies and user texts through the real Slack rendering (slack-bolt against
the fake): nothing the bot posts pings anyone or links to a host outside hosts.txt.

The hostile entry is written to the store directly (``put_entries``): lint would refuse its
links, and the point here is the renderer's own defence.
"""

from __future__ import annotations

import json

import pytest

from bot.curator import Curator
from bot.engine import Engine
from tests.hostile import ALIAS, CODE_TEXT, HOSTILE_ENTRY, USER_TEXTS, slack_problems

from .helpers import HttpBot
from .payloads import command_payload, mention_event
from .test_admin import kb

UNKNOWN = "Error Domain=NSURLErrorDomain Code=-7777777"


@pytest.fixture
async def hostile(engine: Engine) -> Engine:
    await engine.store.put_entries([HOSTILE_ENTRY], "test", "hostile entry, written past lint")
    await engine.rebuild()
    return engine


def outgoing(http: HttpBot) -> list[dict[str, object]]:
    return [*http.fake.responses(), *(c.args for c in http.fake.api("chat.postMessage"))]


def as_slack_sends(text: str) -> str:
    """What Slack sends for typed text: ``&``, ``<`` and ``>`` escaped (mentions arrive as ``<@U…>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("text", USER_TEXTS)
async def test_asked_texts_are_echoed_inert(http: HttpBot, curator: Curator, hostile: Engine, text: str) -> None:
    for sent in (as_slack_sends(text), text):  # escaped as typed, and raw as a forged payload
        await http.sender.command(command_payload(http.fake, "/ask", f"{sent} qqzx"))
        await http.sender.command(command_payload(http.fake, "/ask", f"{ALIAS} {sent}"))
        await http.sender.event(mention_event(f"{sent} {UNKNOWN}", channel="C1"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 4 and len(http.fake.api("chat.postMessage")) == 2)
    assert slack_problems(outgoing(http), curator.hosts) == []


async def test_hostile_entry_everywhere_it_is_shown(http: HttpBot, curator: Curator, hostile: Engine) -> None:
    await http.sender.command(command_payload(http.fake, "/ask", CODE_TEXT))
    await http.sender.event(mention_event(ALIAS, channel="C1"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 1 and http.fake.api("chat.postMessage"))
    await kb(http, "show hostile-markup")
    everything = outgoing(http)
    dumped = json.dumps(everything, ensure_ascii=False)
    assert "hostile-markup" in dumped
    assert "<https://developer.apple.com/documentation/foundation/urlsession|fine>" in dumped  # allowed links stay
    assert "<https://developer.apple.com/documentation/network|Apple docs>" in dumped
    assert "Official Apple fix" in dumped  # shown as text
    assert slack_problems(everything, curator.hosts) == []


async def test_the_echo_is_inline_code(http: HttpBot) -> None:
    text = "zzqx " + as_slack_sends("[Official](https://evil.example/x) `` ` `` <!here>")
    await http.sender.command(command_payload(http.fake, "/ask", text))
    [reply] = await http.fake.wait_for(http.fake.responses)
    dumped = json.dumps(reply, ensure_ascii=False)
    assert (
        "You asked: `zzqx [Official](https://evil.example/x) \u02cb\u02cb \u02cb \u02cb\u02cb &lt;!here&gt;`" in dumped
    )


async def test_the_same_heavy_paste_ten_times_gets_one_answer(http: HttpBot, engine: Engine) -> None:
    paste = CODE_TEXT + "\n" + "Thread 3 Crashed: 0 libsystem_kernel.dylib __pthread_kill\n" * 60
    for i in range(10):
        await http.sender.command(command_payload(http.fake, "/ask", paste))
        await http.fake.wait_for(lambda n=i + 1: len(http.fake.responses()) == n)
    replies = [json.dumps(r) for r in http.fake.responses()]
    assert sum("asked exactly this a moment ago" in r for r in replies) == 9
    assert (await engine.stats()).queries == 1  # searched once
    for _ in range(3):
        await http.sender.event(mention_event(paste, channel="C1"))
    await http.sender.command(command_payload(http.fake, "/ask", "control question"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 11 and len(http.fake.api("chat.postMessage")) == 3)
    posts = [json.dumps(c.args) for c in http.fake.api("chat.postMessage")]
    assert all("asked exactly this" in p for p in posts)  # mentions are explicit: told, not answered
    assert (await engine.stats()).queries == 2
