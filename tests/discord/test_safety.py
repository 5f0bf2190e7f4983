"""Mention safety, the 3-second deadline with a slow core, and rate limits (429)."""

from __future__ import annotations

from bot.engine import Engine
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, SlowEngine, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."


async def test_no_pings_from_kb_text_or_echoed_questions(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    # The "offline" entry's body says @everyone, <@&123> and <!channel> on purpose.
    hostile = f"@everyone @here <@&{cast.staff_role}> <@{cast.bob.id}> {OFFLINE}"
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": hostile})
    [msg] = await answered(fake, inter)
    assert "@everyone" in msg.payload["embeds"][0]["description"]  # the KB text is shown as written
    assert msg.payload["allowed_mentions"] == {"parse": []} if "allowed_mentions" in msg.payload else True
    auto = await fake.user_message(cast.help, cast.alice, hostile)
    assert await bot.decision(auto) == "replied"
    menu = await fake.context_menu("Find answer", cast.bob, cast.help, auto)
    await answered(fake, menu)
    bot_messages = [s for s in fake.sent]
    assert len(bot_messages) >= 3
    for sent in bot_messages:
        assert sent.pings == [], (sent.via, sent.pings)
        assert "@everyone" not in (sent.payload["content"] or "")  # echoed text is defused as well
    assert fake.violations == []


def test_the_fake_would_catch_a_ping() -> None:
    from tests.discord.fake_checks import pings

    assert pings("@everyone look", None, None) == ["everyone"]
    assert pings("<@&5> <@7>", {"parse": ["roles"]}, "9") == ["role:5"]
    assert pings("@everyone <@&5> <@7>", {"parse": []}, "9") == []
    assert pings("hi", {"parse": [], "replied_user": True}, "9") == ["replied:9"]


async def test_slow_core_is_deferred_then_answered(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    fake.deadline = 0.6
    await start_bot(SlowEngine(engine, 1.0), ack_after_seconds=0.2)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    [msg] = await answered(fake, inter)
    assert inter.response_types == [5]  # deferred in time, exactly once
    assert msg.via == "followup" and not msg.ephemeral
    assert msg.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    private = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE, "private": True})
    [secret] = await answered(fake, private)
    assert private.response_types == [5] and secret.ephemeral


async def test_slow_component_click_is_deferred(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    fake.deadline = 0.6
    await start_bot(SlowEngine(engine, 1.0), ack_after_seconds=0.2)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    [msg] = await answered(fake, inter)
    helpful = next(i for i in msg.custom_ids() if i.endswith(":y"))
    click = await fake.click(msg, helpful, cast.bob)
    [thanks] = await answered(fake, click)
    assert click.response_types == [5] and thanks.ephemeral and "Thanks" in thanks.payload["content"]


async def test_modal_needs_its_data_in_time(start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast) -> None:
    fake.deadline = 0.6
    await start_bot(SlowEngine(engine, 1.0), ack_after_seconds=0.2)
    inter = await fake.slash("kb", cast.mod, cast.help, {"id": "offline"}, sub="edit")
    [msg] = await answered(fake, inter)
    assert inter.response_types == [4] and msg.ephemeral
    assert "busy" in msg.payload["content"]


async def test_the_fake_enforces_the_deadline(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    # A bot that waits too long before acknowledging gets 10062, as from Discord.
    fake.deadline = 0.3
    await start_bot(SlowEngine(engine, 0.6), ack_after_seconds=2.0)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    await fake.wait_for(lambda: fake.violations)
    assert fake.violations == [f"interaction {inter.id} acknowledged after the deadline"]
    assert not inter.answered
    fake.violations.clear()


async def test_rate_limited_reply_is_retried(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    route = rf"/channels/{cast.help.id}/messages"
    fake.rate_limit_next("POST", route, retry_after=0.05)
    msg = await fake.user_message(cast.help, cast.alice, OFFLINE)
    assert await bot.decision(msg) == "replied"
    statuses = [status for method, path, status in fake.requests if method == "POST" and path == route]
    assert statuses == [429, 200]
    assert len(fake.sent_in(cast.help)) == 1


async def test_rate_limited_interaction_response_is_retried(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    fake.rate_limit_next("POST", r"/interactions/\d+/[^/]+/callback", retry_after=0.05)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    [msg] = await answered(fake, inter)
    assert inter.response_types == [4]
    assert [s for m, p, s in fake.requests if p.endswith("/callback")] == [429, 200]
    assert msg.payload["embeds"]
