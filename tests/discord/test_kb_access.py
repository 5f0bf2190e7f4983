"""Who may do what with /kb, on real discord.py against the fake: every subcommand, by an admin
and by a member, in the server listed in ``kb_guilds`` and in one that is not.

The knowledge base is shared by every server the bot is in (and anyone can invite a public bot
to a server of their own), so only admins of the listed servers may change it; with no server
listed, nobody may. Reading commands work for any server's admins; ``/supportbot channel``
changes only the server it runs in. A refused action changes nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.knowledge.entryfile import render_entry
from tests.discord.fake_discord import FakeDiscord, Interaction
from tests.discord.fake_world import Channel, User
from tests.discord.helpers import Cast, StartBot, answered
from tests.discord.test_admin import NEW_ENTRY, OFFLINE

ADMIN_ONLY = "Manage Server"
NOT_LISTED = "discord.kb_guilds"


@dataclass(frozen=True)
class Command:
    name: str
    sub: str
    options: dict[str, Any]
    file: tuple[str, bytes] | None = None
    change: bool = False  # changes the shared knowledge base


def edited_offline(text: str) -> bytes:
    return text.replace("The device had no network path", "The device had no usable network path").encode()


COMMANDS = [
    Command("kb", "add", {}, ("proxy-auth-loop.md", NEW_ENTRY.encode()), change=True),
    Command("kb", "edit", {"id": "offline"}, ("offline.md", b""), change=True),  # the file is made per test
    Command("kb", "delete", {"id": "refused"}, change=True),
    Command("kb", "revert", {"id": "offline", "revision": 1}, change=True),
    Command("kb", "import", {}, ("proxy-auth-loop.md", NEW_ENTRY.encode()), change=True),
    Command("supportbot", "channel", {"auto_reply": True}),
    Command("kb", "show", {"id": "offline"}),
    Command("kb", "history", {"id": "offline"}),
    Command("kb", "why", {"text": OFFLINE}),
    Command("kb", "gaps", {}),
    Command("kb", "stats", {}),
    Command("kb", "export", {}),
]


async def snapshot(engine: Engine) -> tuple[Any, ...]:
    """Everything a /kb command could change: entries, revisions and channel settings."""
    db = engine.store.db  # type: ignore[attr-defined]
    out = []
    for sql in ("SELECT id, data FROM entries", "SELECT entry_id, rev, actor FROM revisions", "SELECT * FROM channels"):
        async with db.execute(sql + " ORDER BY 1, 2") as cur:
            out.append([tuple(r) for r in await cur.fetchall()])
    return tuple(out)


async def run(fake: FakeDiscord, engine: Engine, command: Command, user: User, channel: Channel) -> Interaction:
    if command.file is None:
        return await fake.slash(command.name, user, channel, command.options, sub=command.sub)
    name, data = command.file
    if command.sub == "edit":
        data = edited_offline(render_entry(await engine.get_entry("offline")))
    return await fake.slash_with_file(
        command.name, user, channel, "file", name, data, sub=command.sub, options=command.options
    )


async def second_revision(curator: Curator, engine: Engine) -> None:
    """Give ``offline`` a second revision, so reverting to the first is a real change."""
    from dataclasses import replace

    entry = await engine.get_entry("offline")
    await curator.save_entry(replace(entry, summary=entry.summary + " Check Wi-Fi."), "test", "setup", create=False)


CASES = [(c, who, where) for c in COMMANDS for who in ("admin", "member") for where in ("listed", "unlisted")]


@pytest.mark.parametrize(
    ("command", "who", "where"), CASES, ids=[f"{c.name}-{c.sub}-{who}-{where}" for c, who, where in CASES]
)
async def test_permission_matrix(
    start_bot: StartBot,
    fake: FakeDiscord,
    cast: Cast,
    engine: Engine,
    curator: Curator,
    command: Command,
    who: str,
    where: str,
) -> None:
    await start_bot(engine)  # kb_guilds = [the first server]
    await second_revision(curator, engine)
    user = cast.mod if who == "admin" else cast.alice
    channel = cast.help if where == "listed" else cast.help2
    before = await snapshot(engine)
    inter = await run(fake, engine, command, user, channel)
    [msg] = await answered(fake, inter)
    content = msg.payload.get("content") or ""
    assert msg.ephemeral
    if who == "member":
        assert ADMIN_ONLY in content
        assert await snapshot(engine) == before
    elif where == "unlisted" and command.change:
        assert NOT_LISTED in content and "Nothing was changed" in content
        assert await snapshot(engine) == before
    else:
        assert ADMIN_ONLY not in content and NOT_LISTED not in content, content
        assert not content.startswith("Nothing was changed"), (content, msg.payload.get("embeds"))
        if command.change or command.name == "supportbot":
            assert await snapshot(engine) != before
        else:
            assert await snapshot(engine) == before


@pytest.mark.parametrize("sub", ["add", "delete", "import"])
async def test_with_no_server_listed_nobody_changes_the_knowledge_base(
    start_bot: StartBot, fake: FakeDiscord, cast: Cast, engine: Engine, sub: str
) -> None:
    await start_bot(engine, kb_guilds=[])  # the default
    command = next(c for c in COMMANDS if c.sub == sub)
    before = await snapshot(engine)
    inter = await run(fake, engine, command, cast.mod, cast.help)
    [msg] = await answered(fake, inter)
    assert "no server is listed there" in msg.payload["content"]
    assert await snapshot(engine) == before
    show = await fake.slash("kb", cast.mod, cast.help, {"id": "offline"}, sub="show")
    [msg] = await answered(fake, show)  # reading still works
    assert msg.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")


async def test_the_edit_form_is_not_opened_outside_listed_servers(
    start_bot: StartBot, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    await start_bot(engine)
    for sub, options in (("add", {}), ("edit", {"id": "offline"})):
        inter = await fake.slash("kb", cast.mod, cast.help2, options, sub=sub)
        [msg] = await answered(fake, inter)
        assert inter.modal is None and NOT_LISTED in msg.payload["content"]


async def test_gaps_show_only_this_servers_questions(
    start_bot: StartBot, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    await start_bot(engine)
    here = await fake.slash(
        "ask", cast.alice, cast.help, {"question": "Error Domain=NSURLErrorDomain Code=-7777777 one"}
    )
    there = await fake.slash(
        "ask", cast.bob, cast.help2, {"question": "Error Domain=NSURLErrorDomain Code=-8888888 two"}
    )
    await answered(fake, here)
    await answered(fake, there)

    async def gaps(user: User, channel: Channel) -> str:
        inter = await fake.slash("kb", user, channel, sub="gaps")
        [msg] = await answered(fake, inter)
        return str(msg.payload["embeds"][0]["description"])

    second = await gaps(cast.mod, cast.help2)  # an admin of an unlisted server: its own questions
    assert "-8888888" in second and "-7777777" not in second and "one" not in second
    everything = await gaps(cast.mod, cast.help)  # a knowledge-base admin: every server's
    assert "-8888888" in everything and "-7777777" in everything
    keeper = await gaps(cast.keeper, cast.help)  # admin role in the listed server
    assert "-8888888" in keeper
