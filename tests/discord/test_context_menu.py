"""The "Find answer" message menu: the bot replies to the message someone right-clicked."""

from __future__ import annotations

from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."


async def test_find_answer_replies_to_the_message(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    question = await fake.user_message(cast.general, cast.alice, f"my app says {OFFLINE} any idea?")
    assert await bot.decision(question) == "skip: auto-replies off here"
    inter = await fake.context_menu("Find answer", cast.bob, cast.general, question)
    [note] = await answered(fake, inter)
    assert note.ephemeral and "Answered" in note.payload["content"]
    [reply] = [s for s in fake.sent_in(cast.general) if not s.ephemeral]
    assert reply.via == "rest"
    assert reply.payload["message_reference"]["message_id"] == question["id"]
    assert reply.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    assert reply.pings == []  # the asker is not pinged by the reply


async def test_find_answer_reads_attached_crash_report(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    report = b"Exception Type: EXC_BAD_ACCESS (SIGSEGV)\nThread 3 Crashed:: Dispatch queue: NEFlow queue\n0 libobjc.A.dylib objc_msgSend\n"
    att = fake.attachment(cast.general, "App-2026-01-01.ips", report)
    question = await fake.user_message(cast.general, cast.alice, "crashed again", attachments=[att])
    inter = await fake.context_menu("Find answer", cast.bob, cast.general, question)
    await answered(fake, inter)
    [reply] = [s for s in fake.sent_in(cast.general) if not s.ephemeral]
    assert reply.payload["embeds"][0]["title"].startswith("EXC_BAD_ACCESS on the NEFlow queue")


async def test_nothing_found_stays_private(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    question = await fake.user_message(cast.general, cast.alice, "anyone up for lunch?")
    inter = await fake.context_menu("Find answer", cast.bob, cast.general, question)
    [note] = await answered(fake, inter)
    assert note.ephemeral and note.payload["embeds"][0]["title"] == "Nothing matched"
    assert [s for s in fake.sent_in(cast.general) if not s.ephemeral] == []


async def test_channel_without_send_permission_answers_privately(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    question = await fake.user_message(cast.locked, cast.alice, OFFLINE)
    inter = await fake.context_menu("Find answer", cast.bob, cast.locked, question)
    [note] = await answered(fake, inter)
    assert note.ephemeral
    assert "just for you" in note.payload["content"]
    assert note.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    assert ("POST", f"/channels/{cast.locked.id}/messages", 403) in fake.requests
