"""Auto-replies: where, to whom, how often, and the "Not this?" way out."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.models import SupportBotError
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."
REFUSED = (
    "nw_socket_handle_socket_event Socket SO_ERROR [61: Connection refused] Error Domain=NSPOSIXErrorDomain Code=61"
)


async def test_confident_message_in_help_channel_gets_a_reply(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    msg = await fake.user_message(cast.help, cast.alice, f"I keep getting {OFFLINE}")
    assert await bot.decision(msg) == "replied"
    [reply] = fake.sent_in(cast.help)
    assert reply.payload["message_reference"]["message_id"] == msg["id"]
    assert reply.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    ids = reply.custom_ids()
    assert f"sb:nt:{cast.alice.id}:" in " ".join(ids)  # "Not this?" for the asker
    assert any(i.startswith("sb:fb:") for i in ids)
    # The echo of the bot's own reply reaches the bot and is ignored: no reply loop.
    assert await bot.decision(reply.payload) == "skip: own message"
    assert len(fake.sent_in(cast.help)) == 1


async def test_silent_when_not_confident(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    msg = await fake.user_message(cast.help, cast.alice, "my tunnel is slow sometimes, ideas?")
    assert await bot.decision(msg) == "silent: not confident"
    assert fake.sent_in(cast.help) == []
    assert (await engine.stats()).queries == 0  # silence is not logged as a query


async def test_off_in_unconfigured_channel(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    msg = await fake.user_message(cast.general, cast.alice, OFFLINE)
    assert await bot.decision(msg) == "skip: auto-replies off here"
    assert fake.sent_in(cast.general) == []


async def test_bots_webhooks_and_staff_are_ignored(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    by_bot = await fake.user_message(cast.help, cast.robot, OFFLINE)
    by_webhook = await fake.user_message(cast.help, cast.alice, OFFLINE, webhook=True)
    by_staff = await fake.user_message(cast.help, cast.staff, OFFLINE)
    assert await bot.decision(by_bot) == "skip: bot or webhook"
    assert await bot.decision(by_webhook) == "skip: bot or webhook"
    assert await bot.decision(by_staff) == "skip: excluded role"
    assert fake.sent_in(cast.help) == []


async def test_cooldown_per_channel(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    first = await fake.user_message(cast.help, cast.alice, OFFLINE)
    assert await bot.decision(first) == "replied"
    second = await fake.user_message(cast.help, cast.bob, REFUSED)
    assert await bot.decision(second) == "skip: cooldown"
    other_guild = await fake.user_message(cast.help2, cast.bob, OFFLINE)
    assert await bot.decision(other_guild) == "replied"  # another channel has its own cooldown
    assert len(fake.sent_in(cast.help)) == 1


async def test_no_cooldown_when_zero(start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast) -> None:
    bot = await start_bot(engine, cooldown_seconds=0.0)
    for text in (OFFLINE, REFUSED):
        msg = await fake.user_message(cast.help, cast.alice, text)
        assert await bot.decision(msg) == "replied"
    assert len(fake.sent_in(cast.help)) == 2


async def test_forum_post_is_answered_in_its_thread(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    thread, starter = await fake.forum_post(cast.forum, cast.alice, "Offline error", f"Help! {OFFLINE}")
    assert await bot.decision(starter) == "replied"
    [reply] = fake.sent_in(thread)
    assert reply.payload["message_reference"]["message_id"] == starter["id"]
    assert reply.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")


async def test_a_forum_posts_title_is_read_with_its_starter_message(
    bot: Running, fake: FakeDiscord, cast: Cast
) -> None:
    body = "any ideas? nothing changed on our side"
    title = "Error Domain=NSURLErrorDomain Code=-1009 since the last release"
    thread, starter = await fake.forum_post(cast.forum, cast.alice, title, body)
    assert await bot.decision(starter) == "replied"
    [reply] = fake.sent_in(thread)
    assert reply.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    # The body alone says nothing the bot can answer; the title is not read into later messages.
    plain = await fake.user_message(cast.help, cast.bob, body)
    assert await bot.decision(plain) == "silent: not confident"
    later = await fake.user_message(thread, cast.alice, body)
    assert await bot.decision(later) == "skip: already answered in this thread"


async def test_thread_the_bot_has_not_seen_yet(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    thread, starter = await fake.forum_post(cast.forum, cast.alice, "Offline", OFFLINE, announce=False)
    assert await bot.decision(starter) == "replied"
    assert ("GET", f"/channels/{thread.id}", 200) in fake.requests  # it asked Discord what the channel is
    assert len(fake.sent_in(thread)) == 1


async def test_no_permission_to_post(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    await engine.set_channel("discord", str(cast.guild.id), str(cast.locked.id), "test", auto_reply=True)
    msg = await fake.user_message(cast.locked, cast.alice, OFFLINE)
    assert await bot.decision(msg) == "failed: no permission to post here"
    assert fake.sent_in(cast.locked) == []


async def test_once_per_thread_and_only_the_original_poster(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    thread, starter = await fake.forum_post(cast.forum, cast.alice, "Offline", OFFLINE)
    assert await bot.decision(starter) == "replied"
    again = await fake.user_message(thread, cast.alice, f"still {REFUSED}")
    assert await bot.decision(again) == "skip: already answered in this thread"
    thread2, starter2 = await fake.forum_post(cast.forum, cast.alice, "Chat", "hello, is anyone here?")
    assert await bot.decision(starter2) == "silent: not confident"
    other = await fake.user_message(thread2, cast.bob, OFFLINE)
    assert await bot.decision(other) == "skip: not the original poster"
    chatter = await fake.user_message(
        thread2, cast.alice, "it happens when the app starts, The Internet connection appears to be offline."
    )
    assert await bot.decision(chatter) == "skip: not the first message and no new error"
    new_error = await fake.user_message(thread2, cast.alice, f"here is the error: {OFFLINE}")
    assert await bot.decision(new_error) == "replied"
    assert len(fake.sent_in(thread)) == 1 and len(fake.sent_in(thread2)) == 1


async def test_mention_is_an_explicit_ask(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    msg = await fake.user_message(cast.general, cast.alice, f"<@{cast.world.bot.id}> what is {OFFLINE}")
    assert await bot.decision(msg) == "replied to mention"
    [reply] = fake.sent_in(cast.general)
    assert reply.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    assert not any(i.startswith("sb:nt:") for i in reply.custom_ids())


async def test_text_attachment_on_a_question(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    att = fake.attachment(cast.help, "session.log", f"12:00:01 load failed {OFFLINE}\n".encode())
    image = fake.attachment(cast.help, "screenshot.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png")
    msg = await fake.user_message(cast.help, cast.alice, "see log", attachments=[att, image])
    assert await bot.decision(msg) == "replied"
    assert [k.rsplit("/", 1)[1] for k in fake.cdn_requests] == ["session.log"]  # the image is not downloaded


async def test_oversized_attachment_is_not_downloaded(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    bot = await start_bot(engine, max_attachment_bytes=100)
    att = fake.attachment(cast.help, "huge.log", (OFFLINE + "\n").encode() * 10)
    msg = await fake.user_message(cast.help, cast.alice, "see log", attachments=[att])
    assert await bot.decision(msg) == "silent: not confident"  # the error was only in the file
    assert fake.cdn_requests == []
    bare = await fake.user_message(cast.help, cast.alice, "", attachments=[att])
    assert await bot.decision(bare) == "skip: nothing to read"


async def test_paste_links_are_never_fetched(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    msg = await fake.user_message(cast.help, cast.alice, f"full log at {fake.base}/paste/abc123 {OFFLINE}")
    assert await bot.decision(msg) == "replied"
    assert not any(path.startswith("/paste") for _, path, _ in fake.requests)
    # (the fake also records a violation if /paste is ever requested)


async def test_not_this_dismisses_for_the_asker_only(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    msg = await fake.user_message(cast.help, cast.alice, OFFLINE)
    assert await bot.decision(msg) == "replied"
    [reply] = fake.sent_in(cast.help)
    [dismiss] = [i for i in reply.custom_ids() if i.startswith("sb:nt:")]
    refused = await fake.click(reply, dismiss, cast.bob)
    [note] = await answered(fake, refused)
    assert note.ephemeral and "Only the person who asked" in note.payload["content"]
    assert not reply.deleted
    done = await fake.click(reply, dismiss, cast.alice)
    [ok] = await answered(fake, done)
    assert ok.ephemeral and "Removed" in ok.payload["content"]
    assert reply.deleted
    stats = await engine.stats()
    assert (stats.feedback_helpful, stats.feedback_unhelpful) == (0, 1)


async def test_moderator_may_dismiss(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    msg = await fake.user_message(cast.help, cast.alice, OFFLINE)
    assert await bot.decision(msg) == "replied"
    [reply] = fake.sent_in(cast.help)
    [dismiss] = [i for i in reply.custom_ids() if i.startswith("sb:nt:")]
    await answered(fake, await fake.click(reply, dismiss, cast.mod))
    assert reply.deleted


async def test_without_message_content_intent(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    await start_bot(engine, message_content=False)
    assert not int(fake.identifies[-1]["intents"]) & (1 << 15)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    await answered(fake, inter)  # slash commands work without the intent


async def test_intent_not_enabled_in_portal(start_bot: StartBot, engine: Engine, fake: FakeDiscord) -> None:
    fake.privileged_intents = False
    with pytest.raises(SupportBotError, match="Message Content intent"):
        await start_bot(engine)
