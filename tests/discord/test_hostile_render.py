"""Hostile knowledge bodies and member texts through the real Discord rendering (discord.py
against the fake): nothing the bot posts pings anyone or links to a host outside hosts.txt.

The hostile entry is written to the store directly (``put_entries``): lint would refuse its
links, and the point here is the renderer's own defence.
"""

from __future__ import annotations

import pytest

from bot.curator import Curator
from bot.engine import Engine
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, answered
from tests.hostile import ALIAS, CODE_TEXT, HOSTILE_ENTRY, USER_TEXTS, discord_live_links, discord_texts

UNKNOWN = "Error Domain=NSURLErrorDomain Code=-7777777"


@pytest.fixture
async def hostile(engine: Engine) -> Engine:
    await engine.store.put_entries([HOSTILE_ENTRY], "test", "hostile entry, written past lint")
    await engine.rebuild()
    return engine


def problems(fake: FakeDiscord, hosts: frozenset[str]) -> list[str]:
    out = []
    for sent in fake.sent:
        out += [f"ping {p} via {sent.via}" for p in sent.pings]
        for text in discord_texts(sent.payload):
            out += [f"link {u!r} in {text[:80]!r}" for u in discord_live_links(text, hosts)]
    return out


@pytest.mark.parametrize("text", USER_TEXTS)
async def test_asked_texts_are_echoed_inert(
    bot: Running, fake: FakeDiscord, cast: Cast, curator: Curator, hostile: Engine, text: str
) -> None:
    nothing = await fake.slash("ask", cast.alice, cast.help, {"question": f"{text} {UNKNOWN}"})
    [msg] = await answered(fake, nothing)
    assert msg.payload["content"].startswith("> `")  # the echo is inline code
    answer = await fake.slash("ask", cast.alice, cast.help, {"question": f"{ALIAS} {text}"})
    [msg] = await answered(fake, answer)
    assert msg.payload["embeds"][0]["footer"]["text"].startswith("howto · hostile-markup")
    assert problems(fake, curator.hosts) == []
    assert fake.violations == []


async def test_hostile_entry_everywhere_it_is_shown(
    bot: Running, fake: FakeDiscord, cast: Cast, curator: Curator, hostile: Engine
) -> None:
    auto = await fake.user_message(cast.help, cast.alice, f"{CODE_TEXT} {USER_TEXTS[0]}")
    mention = await fake.user_message(cast.general, cast.bob, f"<@{cast.world.bot.id}> {ALIAS}")
    show = await fake.slash("kb", cast.mod, cast.help, {"id": "hostile-markup"}, sub="show")
    await answered(fake, show)
    await fake.wait_for(lambda: len(fake.sent_in(cast.general)) >= 1)
    assert await bot.decision(auto) == "replied"
    assert mention
    texts = [t for s in fake.sent for t in discord_texts(s.payload)]
    kept = "\n".join(texts)
    assert "[fine](https://developer.apple.com/documentation/foundation/urlsession)" in kept  # allowed links stay
    assert "[Apple docs](https://developer.apple.com/documentation/network)" in kept
    assert "Official Apple fix" in kept  # shown as text
    assert problems(fake, curator.hosts) == []
    assert fake.violations == []


async def test_the_same_heavy_paste_ten_times_gets_one_answer(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    paste = CODE_TEXT + "\n" + "Thread 3 Crashed: 0 libsystem_kernel.dylib __pthread_kill\n" * 60
    replies = []
    for _ in range(10):
        inter = await fake.slash("ask", cast.alice, cast.help, {"question": paste[:4000]})
        [msg] = await answered(fake, inter)
        replies.append(msg)
    assert len([m for m in replies if m.payload.get("embeds")]) == 1
    assert all("asked exactly this a moment ago" in m.payload["content"] for m in replies[1:])
    assert (await engine.stats()).queries == 1  # searched once
    other = await fake.slash("ask", cast.bob, cast.help, {"question": paste[:4000]})
    [msg] = await answered(fake, other)
    assert msg.payload.get("embeds")  # another member is answered


async def test_a_repeated_heavy_mention_is_told_not_answered(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    paste = f"<@{cast.world.bot.id}> {CODE_TEXT}\n" + "Thread 3 Crashed: 0 libsystem_kernel.dylib\n" * 40
    first = await fake.user_message(cast.general, cast.alice, paste)
    assert await bot.decision(first) == "replied to mention"
    again = await fake.user_message(cast.general, cast.alice, paste)
    assert await bot.decision(again) == "refused"
    [_, told] = fake.sent_in(cast.general)
    assert "asked exactly this a moment ago" in told.payload["content"]
    assert (await engine.stats()).queries == 1
