"""/kb review and "Save as knowledge entry" through the real discord.py stack and the fake."""

from __future__ import annotations

from bot.curator import Curator
from bot.engine import Engine
from bot.models import ReviewScope
from bot.review import ReviewQueue
from tests.discord.fake_discord import FakeDiscord, Sent
from tests.discord.fake_world import Channel, User
from tests.discord.helpers import Cast, Running, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."
UNKNOWN = 'Error Domain=NSURLErrorDomain Code=-1234 "weird"'
PHONE = "my phone says there is no way to reach the web"
VAGUE = "my internet is gone sometimes"  # nothing matched, but "offline" is the likely entry


async def ask(fake: FakeDiscord, cast: Cast, text: str, channel: Channel | None = None) -> None:
    inter = await fake.slash("ask", cast.alice, channel or cast.help, {"question": text})
    await answered(fake, inter)


async def open_review(
    fake: FakeDiscord, cast: Cast, user: User | None = None, channel: Channel | None = None
) -> list[Sent]:
    inter = await fake.slash("kb", user or cast.mod, channel or cast.help, sub="review")
    return await answered(fake, inter)


async def test_not_this_goes_to_the_review_queue(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    msg = await fake.user_message(cast.help, cast.alice, OFFLINE)
    assert await bot.decision(msg) == "replied"
    [reply] = fake.sent_in(cast.help)
    [dismiss] = [i for i in reply.custom_ids() if i.startswith("sb:nt:")]
    await answered(fake, await fake.click(reply, dismiss, cast.alice))
    [listing] = await open_review(fake, cast)
    [embed] = listing.payload["embeds"]
    assert "1×** not-this · answered with `offline`" in embed["description"]
    assert OFFLINE in embed["description"]


async def test_review_lists_and_creates_an_entry_from_the_form(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    await ask(fake, cast, UNKNOWN)
    [listing] = await open_review(fake, cast)
    assert listing.ephemeral
    assert listing.payload["embeds"][0]["title"] == f"#1 {UNKNOWN}"
    assert listing.custom_ids() == ["sb:rv:create:1", "sb:rv:teach:1", "sb:rv:dismiss:1"]
    opened = await fake.click(listing, "sb:rv:create:1", cast.mod)
    await answered(fake, opened)
    assert opened.modal is not None
    fields = {c["label"]: c["component"].get("value") for c in opened.modal["components"]}
    front = fields["Front matter (TOML)"]
    assert "code = -1234" in front and 'summary = ""' in front
    done = await fake.submit_modal(
        opened, {"Front matter (TOML)": front.replace('summary = ""', 'summary = "Code -1234 means X."')}, cast.mod
    )
    [msg] = await answered(fake, done)
    assert "for review item #1" in msg.payload["content"], msg.payload
    entry_id = msg.payload["content"].split("`")[1]
    [rev] = await engine.history(entry_id)
    assert (rev.actor, rev.reason) == (f"discord:{cast.mod.id}", "from review item #1")
    again = await fake.slash("ask", cast.bob, cast.help, {"question": UNKNOWN})
    [shown] = await answered(fake, again)
    assert shown.payload["embeds"][0]["title"] == UNKNOWN  # the draft's title, from the question
    [empty] = await open_review(fake, cast)
    assert "empty" in empty.payload["content"]


async def test_teach_from_the_select_and_dismiss_with_a_reason(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    await ask(fake, cast, VAGUE)
    await ask(fake, cast, "what is the weather today")
    [listing] = await open_review(fake, cast)
    assert len(listing.custom_ids()) == 6
    picked = await fake.click(listing, "sb:rv:teach:1", cast.mod)
    [choices] = await answered(fake, picked)
    assert choices.custom_ids() == ["sb:rvt:1"]
    options = [o["value"] for o in choices.payload["components"][0]["components"][0]["options"]]
    assert "offline" in options
    taught = await fake.click(choices, "sb:rvt:1", cast.mod, values=["offline"])
    [done] = await answered(fake, taught)
    assert f"alias '{VAGUE}'" in done.payload["content"]
    assert (await engine.history("offline"))[-1].actor == f"discord:{cast.mod.id}"
    again = await fake.slash("ask", cast.bob, cast.help, {"question": VAGUE})
    [shown] = await answered(fake, again)
    assert shown.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    opened = await fake.click(listing, "sb:rv:dismiss:2", cast.mod)
    await answered(fake, opened)
    submitted = await fake.submit_modal(opened, {"Reason": "off-topic"}, cast.mod)
    [ok] = await answered(fake, submitted)
    assert ok.payload["content"] == "Dismissed review item #2."
    rows = await engine.store._run("SELECT actor, detail FROM review_events WHERE action = 'dismissed'")
    assert [tuple(r) for r in rows] == [(f"discord:{cast.mod.id}", "off-topic")]


async def test_members_cannot_use_the_buttons(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine, curator: Curator
) -> None:
    await ask(fake, cast, "what is the weather today")
    [listing] = await open_review(fake, cast)
    for custom_id in listing.custom_ids():
        refused = await fake.click(listing, custom_id, cast.alice)
        [note] = await answered(fake, refused)
        assert note.ephemeral and "Manage Server" in note.payload["content"]
        assert refused.modal is None
    assert [i.status for i in await ReviewQueue(engine, curator).items(ReviewScope.everything())] == ["open"]


async def test_each_server_reviews_its_own_misses_unless_it_manages_the_kb(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    # Neither server manages the knowledge base: each reviews only its own misses.
    await start_bot(engine, kb_guilds=[])
    await ask(fake, cast, "what is the weather today")
    await ask(fake, cast, PHONE, cast.help2)
    [here] = await open_review(fake, cast)
    assert [e["title"] for e in here.payload["embeds"]] == ["#1 what is the weather today"]
    # The other server's item is not found from here, even with a hand-made button.
    [there] = await open_review(fake, cast, cast.mod, cast.help2)
    assert [e["title"] for e in there.payload["embeds"]] == [f"#2 {PHONE}"]
    # Teaching from a server the operator did not list is refused, and says which setting allows it.
    picked = await fake.click(there, "sb:rv:teach:2", cast.mod)
    [refusal] = await answered(fake, picked)
    assert "discord.kb_guilds" in refusal.payload["content"]
    # An item of another server is not found from here (a hand-typed number).
    other = await fake.slash("kb", cast.mod, cast.help, {"item": 2, "teach": "offline"}, sub="review")
    [refused] = await answered(fake, other)
    assert refused.ephemeral and "discord.kb_guilds" in refused.payload["content"]
    # Teaching changes the shared knowledge base: refused where kb_guilds does not list the server.
    taught = await fake.slash("kb", cast.mod, cast.help2, {"item": 2, "teach": "offline"}, sub="review")
    [no] = await answered(fake, taught)
    assert "discord.kb_guilds" in no.payload["content"]


async def test_kb_guild_admins_see_every_server(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    await start_bot(engine, kb_guilds=[cast.guild.id])
    await ask(fake, cast, "what is the weather today")
    await ask(fake, cast, PHONE, cast.help2)
    [listing] = await open_review(fake, cast)
    assert len(listing.payload["embeds"]) == 2


async def test_save_a_forum_reply_as_an_entry(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    thread, _ = await fake.forum_post(cast.forum, cast.alice, "pinning", "How do I pin a certificate in URLSession?")
    answer = await fake.user_message(
        thread, cast.bob, "Implement urlSession(_:didReceive:completionHandler:) and compare the SPKI hash."
    )
    opened = await fake.context_menu("Save as knowledge entry", cast.mod, thread, answer)
    await answered(fake, opened)
    assert opened.modal is not None
    fields = {c["label"]: c["component"].get("value") for c in opened.modal["components"]}
    assert 'title = "How do I pin a certificate in URLSession"' in fields["Front matter (TOML)"]
    assert fields["Body (Markdown)"].startswith("Implement urlSession(")
    done = await fake.submit_modal(opened, {"Reason for the change": "good answer"}, cast.mod)
    [msg] = await answered(fake, done)
    assert "Added `pin-certificate-urlsession`" in msg.payload["content"]
    [rev] = await engine.history("pin-certificate-urlsession")
    assert rev.actor == f"discord:{cast.mod.id}"
    assert rev.reason == f"good answer (from a reply by discord:{cast.bob.id} in a help thread)"
    assert (await engine.why("How do I pin a certificate in URLSession?"))[0].entry.id == rev.entry_id


async def test_save_refuses_members_and_the_question_itself(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    thread, question = await fake.forum_post(cast.forum, cast.alice, "pinning", "How do I pin?")
    reply = await fake.user_message(thread, cast.bob, "Use the delegate.")
    member = await fake.context_menu("Save as knowledge entry", cast.alice, thread, reply)
    [note] = await answered(fake, member)
    assert member.modal is None and "Manage Server" in note.payload["content"]
    itself = await fake.context_menu("Save as knowledge entry", cast.mod, thread, question)
    [note] = await answered(fake, itself)
    assert itself.modal is None and "reply in a help thread" in note.payload["content"]
    elsewhere = await fake.user_message(cast.general, cast.bob, "Use the delegate.")
    outside = await fake.context_menu("Save as knowledge entry", cast.mod, cast.general, elsewhere)
    [note] = await answered(fake, outside)
    assert outside.modal is None and "reply in a help thread" in note.payload["content"]
