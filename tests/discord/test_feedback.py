"""Feedback buttons and "Show full answer" keep working across a restart of the bot."""

from __future__ import annotations

from bot.curator import Curator
from bot.engine import Engine
from bot.models import Entry, Link
from bot.store.sqlite import SQLiteStore
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."


async def feedback_rows(store: SQLiteStore) -> list[tuple[int, str, int]]:
    async with store.db.execute("SELECT query_id, actor, helpful FROM feedback ORDER BY id") as cur:
        return [tuple(r) for r in await cur.fetchall()]  # type: ignore[misc]


async def query_ids(store: SQLiteStore) -> list[int]:
    async with store.db.execute("SELECT id FROM queries ORDER BY id") as cur:
        return [r[0] for r in await cur.fetchall()]


async def test_feedback_buttons_after_a_restart(
    start_bot: StartBot, engine: Engine, store: SQLiteStore, fake: FakeDiscord, cast: Cast
) -> None:
    first = await start_bot(engine)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
    [msg] = await answered(fake, inter)
    await first.stop()
    [query_id] = await query_ids(store)

    await start_bot(engine)  # a new process, as far as the bot is concerned
    helpful = next(i for i in msg.custom_ids() if i.endswith(":y"))
    unhelpful = next(i for i in msg.custom_ids() if i.endswith(":n"))
    assert helpful == f"sb:fb:{query_id}:y"
    [thanks] = await answered(fake, await fake.click(msg, helpful, cast.bob))
    assert thanks.ephemeral and "Thanks" in thanks.payload["content"]
    await answered(fake, await fake.click(msg, unhelpful, cast.alice))
    assert await feedback_rows(store) == [
        (query_id, f"discord:{cast.bob.id}", 1),
        (query_id, f"discord:{cast.alice.id}", 0),
    ]


async def test_show_full_answer_for_a_long_entry(
    start_bot: StartBot, engine: Engine, curator: Curator, fake: FakeDiscord, cast: Cast
) -> None:
    body = "\n\n".join(
        f"Paragraph {i}: " + "the tunnel provider must reapply its settings after wake. " * 6 for i in range(12)
    )
    entry = Entry(
        id="long-wake-guide",
        kind="howto",
        title="Packet tunnel loses its routes after wake",
        summary="Reapply the tunnel network settings in wake() and confirm the routes with netstat.",
        body=body,
        aliases=("tunnel routes lost after wake",),
        links=(Link("URLError.Code (Apple)", "https://developer.apple.com/documentation/foundation/urlerror/code"),),
    )
    await curator.save_entry(entry, "test", create=True)
    first = await start_bot(engine)
    inter = await fake.slash("ask", cast.alice, cast.help, {"question": "tunnel routes lost after wake"})
    [msg] = await answered(fake, inter)
    embed = msg.payload["embeds"][0]
    assert embed["title"] == entry.title
    assert len(embed["description"]) < 600  # the short form; the body is one click away
    assert "Paragraph 11" not in embed["description"]
    assert "sb:full:long-wake-guide" in msg.custom_ids()
    await first.stop()

    await start_bot(engine)
    full = await fake.click(msg, "sb:full:long-wake-guide", cast.bob)
    [shown] = await answered(fake, full)
    assert shown.ephemeral
    assert "long-wake-guide.md" in shown.files
    assert "Paragraph 11" in shown.files["long-wake-guide.md"].decode()
