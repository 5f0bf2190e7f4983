"""/ask end to end: confident, ambiguous, nothing found, unknown code, private, autocomplete."""

from __future__ import annotations

from bot.curator import Curator
from bot.engine import Engine
from bot.models import Entry, Incoming, Mode, Outcome
from tests.core import CAUSE_ID, OUTER_ID, UNTRUSTED_PASTE, Core
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."


async def test_commands_are_published(bot: Running, fake: FakeDiscord) -> None:
    names = {(c["name"], c.get("type", 1)) for c in fake.commands}
    assert {("ask", 1), ("Find answer", 3), ("Save as knowledge entry", 3), ("kb", 1), ("supportbot", 1)} <= names
    save = fake.command("Save as knowledge entry", 3)
    assert int(save["default_member_permissions"]) == 1 << 5 and save["contexts"] == [0]  # servers only
    kb = fake.command("kb")
    assert int(kb["default_member_permissions"]) == 1 << 5  # Manage Server, as a UI hint only
    subs = {o["name"] for o in kb["options"]}
    assert subs == {
        "add",
        "edit",
        "delete",
        "show",
        "history",
        "revert",
        "why",
        "gaps",
        "stats",
        "export",
        "import",
        "review",
        "dashboard",
    }
    ask = fake.command("ask")
    question = next(o for o in ask["options"] if o["name"] == "question")
    assert question["autocomplete"] is True


async def test_confident_answer(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    [msg] = await answered(fake, inter)
    assert not msg.ephemeral
    embed = msg.payload["embeds"][0]
    assert embed["title"].startswith("NSURLErrorNotConnectedToInternet (-1009)")
    assert "NWPathMonitor" in embed["description"]  # the summary
    assert embed["url"] == "https://developer.apple.com/documentation/foundation/urlerror/code"
    assert "offline" in embed["footer"]["text"]
    assert any(f["name"] == "Links" for f in embed["fields"])
    assert "NSURLErrorDomain" in msg.payload["content"]  # the question is echoed
    ids = msg.custom_ids()
    assert any(i.startswith("sb:fb:") and i.endswith(":y") for i in ids)
    assert any(i.startswith("sb:fb:") and i.endswith(":n") for i in ids)
    assert not any(i.startswith("sb:more:") for i in ids)  # the runner-up is far behind
    stats = await engine.stats()
    assert stats.queries == 1


async def test_the_first_message_is_short_and_the_full_answer_one_click_away(
    start_bot: StartBot, bundled_core: Core, fake: FakeDiscord, cast: Cast
) -> None:
    await start_bot(bundled_core.engine)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": "errSSLNoRootCert -9813"})
    [msg] = await answered(fake, inter)
    embed = msg.payload["embeds"][0]
    assert embed["title"].startswith("errSSLNoRootCert (-9813)")
    description = embed["description"]
    assert "**What to check first**\n- `openssl s_client" in description
    assert "- Does Safari on the same device trust the site?" in description
    assert "Usual causes" not in description and "Self-signed server certificates" not in description
    assert len(description) < 600 and description.count("`") % 2 == 0
    [links] = [f["value"] for f in embed["fields"] if f["name"] == "Links"]
    assert links.count("\n- ") == 1  # the first two links; the rest are in the full answer
    assert f"sb:full:{CAUSE_ID}" in msg.custom_ids()
    full = await fake.click(msg, f"sb:full:{CAUSE_ID}", cast.bob)
    [shown] = await answered(fake, full)
    assert shown.ephemeral
    assert "Self-signed server certificates" in shown.payload["embeds"][0]["description"]


async def test_a_combined_answer_names_both_errors(
    start_bot: StartBot, bundled_core: Core, fake: FakeDiscord, cast: Cast
) -> None:
    await start_bot(bundled_core.engine)
    expected = await bundled_core.engine.answer(Incoming(UNTRUSTED_PASTE, Mode.SLASH))
    assert expected is not None and expected.combined is not None and expected.combined.nested
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": UNTRUSTED_PASTE})
    [msg] = await answered(fake, inter)
    embed = msg.payload["embeds"][0]
    assert embed["title"] == expected.combined.headline
    assert embed["title"].startswith("-1202 (server trust evaluation failed) because errSSLNoRootCert -9813")
    description = embed["description"]
    # The cause first, in short (what to fix); the headline says what the outer error is, so the
    # description does not repeat it (its link is under Links, its full answer one pick away).
    assert description.startswith("-9813 (errSSLNoRootCert) means")
    assert "**What to check first**" in description
    assert "-1202 (server trust evaluation failed)" not in description
    assert "Usual causes" not in description
    [links] = [f["value"] for f in embed["fields"] if f["name"] == "Links"]
    assert "documentation/security/errsslnorootcert" in links  # the cause's entry
    assert "urlerror/servercertificateuntrusted" in links  # the outer error's entry
    assert CAUSE_ID in embed["footer"]["text"] and OUTER_ID in embed["footer"]["text"]
    ids = msg.custom_ids()
    assert f"sb:full:{CAUSE_ID}" in ids
    [select] = [c for row in msg.payload["components"] for c in row["components"] if c["type"] == 3]
    assert select["options"][0]["value"] == OUTER_ID  # the outer error in full, one pick away
    full = await fake.click(msg, f"sb:full:{CAUSE_ID}", cast.bob)
    [shown] = await answered(fake, full)
    assert shown.ephemeral and shown.payload["embeds"][0]["title"].startswith("errSSLNoRootCert (-9813)")


async def test_known_issue_block(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": "EXC_BAD_ACCESS on the NEFlow queue"})
    [msg] = await answered(fake, inter)
    [field] = [f for f in msg.payload["embeds"][0]["fields"] if f["name"] == "Known issue"]
    value = field["value"]
    for part in (
        "**Status:** open",
        "**Affects:** iOS 18, macOS 15",
        "**Fixed in:** not fixed yet",
        "completion-handler",
        "**Last verified:** 2026-11-01",
    ):
        assert part in value


async def add_twins(curator: Curator) -> None:
    """Two entries that answer the same words equally well: an ambiguous question by construction."""
    for i, where in enumerate(("cellular", "Wi-Fi")):
        twin = Entry(
            id=f"frob-{i}",
            kind="howto",
            title=f"Frobnicator handshake stalls on {where}",
            summary="Restart the frobnicator session.",
            aliases=("frobnicator handshake stall",),
        )
        await curator.save_entry(twin, "test", create=True)


async def test_ambiguous_offers_other_matches(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine, curator: Curator
) -> None:
    await add_twins(curator)
    question = "frobnicator handshake stall"
    expected = await engine.answer(Incoming(question, Mode.SLASH))
    assert expected is not None and expected.outcome is Outcome.SUGGEST and len(expected.matches) >= 2, expected
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": question})
    [msg] = await answered(fake, inter)
    embed = msg.payload["embeds"][0]
    assert embed["title"] == "Not sure: these may help"
    assert "Frobnicator handshake stalls on cellular" in embed["description"]
    assert "Frobnicator handshake stalls on Wi-Fi" in embed["description"]
    [select] = [c for row in msg.payload["components"] for c in row["components"] if c["type"] == 3]
    assert select["placeholder"] == "Other matches"
    assert [o["value"] for o in select["options"]] == [m.entry.id for m in expected.matches]
    pick = await fake.click(msg, select["custom_id"], cast.bob, values=["frob-1"])
    [shown] = await answered(fake, pick)
    assert shown.ephemeral
    assert shown.payload["embeds"][0]["title"] == "Frobnicator handshake stalls on Wi-Fi"


async def test_nothing_found(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": "how do I bake bread"})
    [msg] = await answered(fake, inter)
    assert msg.payload["embeds"][0]["title"] == "Nothing matched"
    assert "full error text" in msg.payload["embeds"][0]["description"]


async def test_unknown_code(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": "Error Domain=NSURLErrorDomain Code=-1234567"})
    [msg] = await answered(fake, inter)
    embed = msg.payload["embeds"][0]
    assert embed["title"] == "Unknown error code"
    assert "not a documented code" in embed["description"]
    assert "NSUnderlyingError" in embed["description"]
    gaps = await engine.gaps()
    assert [(g.domain, g.code) for g in gaps] == [("NSURLErrorDomain", -1234567)]


async def test_private_answer_is_ephemeral(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE, "private": True})
    [msg] = await answered(fake, inter)
    assert msg.ephemeral
    assert "NSURLErrorNotConnectedToInternet" in msg.text


async def test_log_attachment_is_read(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    log = b"2026-01-01 12:00:00 Task <1> finished with error [-1009] Error Domain=NSURLErrorDomain Code=-1009\n"
    inter = await fake.slash_with_file(
        "ask", cast.alice, cast.help, "log", "network.log", log, options={"question": "why does this fail?"}
    )
    [msg] = await answered(fake, inter)
    assert msg.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    assert len(fake.cdn_requests) == 1


async def test_autocomplete_offers_titles(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": "transparent"}, focused="question")
    await fake.wait_for(lambda: inter.choices is not None)
    assert inter.response_types == [8]
    assert [c["name"] for c in inter.choices or []] == [
        "NETransparentProxyProvider stops getting handleNewFlow after wake"
    ]
    empty = await fake.slash("ask", cast.alice, cast.help, {"question": "zzzz-nothing"}, focused="question")
    await fake.wait_for(lambda: empty.choices is not None)
    assert empty.choices == []
