"""/kb and /supportbot: every command allowed for admins, denied for everyone else."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from bot.engine import Engine
from tests.discord.fake_discord import FakeDiscord, Interaction
from tests.discord.helpers import Cast, Running, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."
NEW_ENTRY = """+++
id = "proxy-auth-loop"
kind = "howto"
title = "URLSession keeps asking for proxy credentials"
summary = "Answer the proxy authentication challenge once and cache the credential for the protection space."
aliases = ["proxy authentication loop"]
+++
Handle `NSURLAuthenticationMethodHTTPBasic` for the proxy's protection space.
"""

# Every admin command with valid options (entry "offline" exists in the fixture knowledge base).
ADMIN_COMMANDS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("kb", "add", {}),
    ("kb", "edit", {"id": "offline"}),
    ("kb", "delete", {"id": "refused"}),
    ("kb", "show", {"id": "offline"}),
    ("kb", "history", {"id": "offline"}),
    ("kb", "revert", {"id": "offline", "revision": 1}),
    ("kb", "why", {"text": OFFLINE}),
    ("kb", "gaps", {}),
    ("kb", "stats", {}),
    ("kb", "review", {}),
    ("kb", "export", {}),
    ("kb", "import", {}),  # the file is attached below
    ("kb", "dashboard", {}),
    ("supportbot", "channel", {"auto_reply": True}),
]


async def run_admin(
    fake: FakeDiscord, cast: Cast, user: Any, name: str, sub: str | None, options: dict[str, Any]
) -> Interaction:
    if sub == "import":
        return await fake.slash_with_file(name, user, cast.help, "file", "new.md", NEW_ENTRY.encode(), sub=sub)
    return await fake.slash(name, user, cast.help, options, sub=sub)


async def revisions(engine: Engine) -> int:
    async with engine.store.db.execute("SELECT COUNT(*) FROM revisions") as cur:  # type: ignore[attr-defined]
        row = await cur.fetchone()
    return int(row[0])


@pytest.mark.parametrize(("name", "sub", "args"), ADMIN_COMMANDS, ids=[f"{n}-{s}" for n, s, _ in ADMIN_COMMANDS])
async def test_denied_for_members(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine, name: str, sub: str | None, args: dict[str, Any]
) -> None:
    before = await revisions(engine)
    inter = await run_admin(fake, cast, cast.alice, name, sub, args)
    [msg] = await answered(fake, inter)
    assert msg.ephemeral and "Manage Server" in msg.payload["content"]
    assert inter.modal is None
    assert await revisions(engine) == before
    assert await engine.store.get_channel("discord", str(cast.guild.id), str(cast.help.id)) is None


@pytest.mark.parametrize(("name", "sub", "args"), ADMIN_COMMANDS, ids=[f"{n}-{s}" for n, s, _ in ADMIN_COMMANDS])
async def test_allowed_for_admin_role(
    bot: Running, fake: FakeDiscord, cast: Cast, name: str, sub: str | None, args: dict[str, Any]
) -> None:
    # keeper has no Manage Server, only the configured admin role.
    inter = await run_admin(fake, cast, cast.keeper, name, sub, args)
    await answered(fake, inter)
    if inter.modal is None:
        [msg] = inter.messages()
        assert "Manage Server" not in (msg.payload["content"] or "")
        assert msg.ephemeral


async def test_add_with_the_form_records_the_member(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    opened = await fake.slash("kb", cast.mod, cast.help, sub="add")
    await answered(fake, opened)
    assert opened.response_types == [9]
    front, body = NEW_ENTRY.split("+++")[1], NEW_ENTRY.split("+++")[2]
    submitted = await fake.submit_modal(
        opened,
        {"Front matter (TOML)": front, "Body (Markdown)": body, "Reason for the change": "common question"},
        cast.mod,
    )
    [msg] = await answered(fake, submitted)
    assert msg.ephemeral and "Added `proxy-auth-loop`" in msg.payload["content"]
    [rev] = await engine.history("proxy-auth-loop")
    assert (rev.actor, rev.reason) == (f"discord:{cast.mod.id}", "common question")
    answer = await fake.slash("ask", cast.alice, cast.help, {"question": "proxy authentication loop"})
    [shown] = await answered(fake, answer)
    assert shown.payload["embeds"][0]["title"] == "URLSession keeps asking for proxy credentials"


async def test_edit_form_is_prefilled_and_saves(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    opened = await fake.slash("kb", cast.mod, cast.help, {"id": "offline"}, sub="edit")
    await answered(fake, opened)
    assert opened.modal is not None
    fields = {c["label"]: c["component"].get("value") for c in opened.modal["components"]}
    assert 'id = "offline"' in fields["Front matter (TOML)"]
    assert "@everyone" in fields["Body (Markdown)"]
    front = fields["Front matter (TOML)"].replace(
        "The device had no network path", "The device had no usable network path"
    )
    done = await fake.submit_modal(opened, {"Front matter (TOML)": front}, cast.mod)
    [msg] = await answered(fake, done)
    assert "Saved `offline` (revision 2)" in msg.payload["content"]
    entry = await engine.get_entry("offline")
    assert entry.summary.startswith("The device had no usable network path")
    assert (await engine.history("offline"))[-1].actor == f"discord:{cast.mod.id}"


async def test_invalid_form_changes_nothing_and_returns_the_text(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    before = await revisions(engine)
    opened = await fake.slash("kb", cast.mod, cast.help, sub="add")
    await answered(fake, opened)
    broken = 'id = "Bad Id"\nkind = "howto"\ntitle = "x"\nsummary = "y"\n[[links]]\ntitle = "t"\nurl = "http://evil.example/"\n'
    done = await fake.submit_modal(opened, {"Front matter (TOML)": broken}, cast.mod)
    [msg] = await answered(fake, done)
    assert msg.ephemeral and "Nothing was changed" in msg.payload["content"]
    assert "Bad Id" in msg.files["new-entry.md"].decode()
    assert await revisions(engine) == before


async def test_add_and_edit_with_a_file(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    added = await fake.slash_with_file(
        "kb", cast.mod, cast.help, "file", "proxy-auth-loop.md", NEW_ENTRY.encode(), sub="add"
    )
    [msg] = await answered(fake, added)
    assert "Added `proxy-auth-loop`" in msg.payload["content"]
    long_body = NEW_ENTRY + "\n" + ("More detail about the protection space. " * 150)
    assert len(long_body) > 4000  # longer than a form field allows
    edited = await fake.slash_with_file(
        "kb",
        cast.mod,
        cast.help,
        "file",
        "proxy-auth-loop.md",
        long_body.encode(),
        sub="edit",
        options={"id": "proxy-auth-loop"},
    )
    [msg] = await answered(fake, edited)
    assert "Saved `proxy-auth-loop` (revision 2)" in msg.payload["content"]
    opened = await fake.slash("kb", cast.mod, cast.help, {"id": "proxy-auth-loop"}, sub="edit")
    [reply] = await answered(fake, opened)
    assert opened.modal is None and "too long for a Discord form" in reply.payload["content"]
    assert "proxy-auth-loop.md" in reply.files


async def test_delete_history_revert(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    deleted = await fake.slash("kb", cast.mod, cast.help, {"id": "refused"}, sub="delete")
    [msg] = await answered(fake, deleted)
    assert "Deleted `refused` (revision 2)" in msg.payload["content"]
    assert all(e.id != "refused" for e in await engine.list_entries())
    history = await fake.slash("kb", cast.mod, cast.help, {"id": "refused"}, sub="history")
    [msg] = await answered(fake, history)
    text = msg.payload["embeds"][0]["description"]
    assert f"discord:{cast.mod.id}" in text and "system:import" in text
    reverted = await fake.slash("kb", cast.mod, cast.help, {"id": "refused", "revision": 1}, sub="revert")
    [msg] = await answered(fake, reverted)
    assert "revision 3" in msg.payload["content"]
    assert (await engine.get_entry("refused")).title.startswith("ECONNREFUSED")
    missing = await fake.slash("kb", cast.mod, cast.help, {"id": "no-such-entry"}, sub="show")
    [msg] = await answered(fake, missing)
    assert msg.ephemeral and "no entry 'no-such-entry'" in msg.payload["content"]


async def test_show_why_gaps_stats(bot: Running, fake: FakeDiscord, cast: Cast) -> None:
    show = await fake.slash("kb", cast.mod, cast.help, {"id": "offline"}, sub="show")
    [msg] = await answered(fake, show)
    assert msg.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    assert msg.files["offline.md"].decode().startswith('+++\nid = "offline"')
    why = await fake.slash("kb", cast.mod, cast.help, {"text": OFFLINE}, sub="why")
    [msg] = await answered(fake, why)
    assert "offline" in msg.payload["embeds"][0]["description"]
    ask = await fake.slash("ask", cast.alice, cast.help, {"question": "Error Domain=NSURLErrorDomain Code=-7777777"})
    await answered(fake, ask)
    gaps = await fake.slash("kb", cast.mod, cast.help, sub="gaps")
    [msg] = await answered(fake, gaps)
    assert "NSURLErrorDomain -7777777" in msg.payload["embeds"][0]["description"]
    stats = await fake.slash("kb", cast.mod, cast.help, sub="stats")
    [msg] = await answered(fake, stats)
    fields = {f["name"]: f["value"] for f in msg.payload["embeds"][0]["fields"]}
    assert fields["Queries"].startswith("1 ")


async def test_export_attaches_the_knowledge_files(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    inter = await fake.slash("kb", cast.mod, cast.help, sub="export")
    [msg] = await answered(fake, inter)
    with zipfile.ZipFile(io.BytesIO(msg.files["knowledge.zip"])) as zf:
        names = set(zf.namelist())
        assert "knowledge/entries/offline.md" in names
        assert any(n.startswith("knowledge/catalog/") for n in names)
        assert zf.read("knowledge/entries/offline.md").decode() == (await engine.export_files())["entries/offline.md"]


async def test_import_round_trip_and_bad_file(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    good = await fake.slash_with_file(
        "kb", cast.mod, cast.help, "file", "proxy-auth-loop.md", NEW_ENTRY.encode(), sub="import"
    )
    [msg] = await answered(fake, good)
    assert "Imported 1 entries; 1 new or changed" in msg.payload["content"]
    assert (await engine.history("proxy-auth-loop"))[0].actor == f"discord:{cast.mod.id}"

    before = {e.id: e for e in await engine.list_entries()}
    revs = await revisions(engine)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("knowledge/entries/fine-entry.md", NEW_ENTRY.replace("proxy-auth-loop", "fine-entry"))
        zf.writestr("knowledge/entries/broken.md", '+++\nid = "broken"\nkind = "nonsense"\ntitle = ""\n+++\n')
    bad = await fake.slash_with_file("kb", cast.mod, cast.help, "file", "kb.zip", buf.getvalue(), sub="import")
    [msg] = await answered(fake, bad)
    assert msg.ephemeral and "Nothing was changed" in msg.payload["content"]
    assert "broken.md" in msg.payload["embeds"][0]["description"]
    assert {e.id: e for e in await engine.list_entries()} == before  # all or nothing: fine-entry is not in
    assert await revisions(engine) == revs
    junk = await fake.slash_with_file("kb", cast.mod, cast.help, "file", "notes.pdf", b"%PDF", sub="import")
    [msg] = await answered(fake, junk)
    assert "import takes an entry" in msg.payload["content"]


async def test_channel_settings_per_guild(bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine) -> None:
    async def ask_in(channel: Any) -> str:
        msg = await fake.user_message(channel, cast.alice, OFFLINE)
        return await bot.decision(msg)

    assert await ask_in(cast.general) == "skip: auto-replies off here"
    on = await fake.slash("supportbot", cast.mod, cast.general, {"auto_reply": True}, sub="channel")
    [msg] = await answered(fake, on)
    assert "auto-replies are **on**" in msg.payload["content"]
    assert await ask_in(cast.general) == "replied"
    async with engine.store.db.execute("SELECT channel, updated_by FROM channels") as cur:  # type: ignore[attr-defined]
        assert [tuple(r) for r in await cur.fetchall()] == [(str(cast.general.id), f"discord:{cast.mod.id}")]
    off = await fake.slash(
        "supportbot",
        cast.mod,
        cast.general,
        {"channel": str(cast.help.id), "auto_reply": False},
        sub="channel",
        resolved={"channels": {str(cast.help.id): cast.help.payload() | {"permissions": "0"}}},
    )
    await answered(fake, off)
    assert await ask_in(cast.help) == "skip: auto-replies off here"
    assert await ask_in(cast.help2) == "replied"  # the other guild keeps its own settings
    strict = await fake.slash("supportbot", cast.mod, cast.general, {"threshold": 0.99}, sub="channel")
    [msg] = await answered(fake, strict)
    assert "threshold 0.99" in msg.payload["content"]
    show = await fake.slash("supportbot", cast.mod, cast.general, sub="channel")
    [msg] = await answered(fake, show)
    assert "Currently: auto-replies are **on**" in msg.payload["content"] and "0.99" in msg.payload["content"]


async def test_kb_changes_limited_to_configured_guilds(
    start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast
) -> None:
    await start_bot(engine, kb_guilds=[cast.guild.id])
    elsewhere = await fake.slash("kb", cast.mod, cast.help2, {"id": "refused"}, sub="delete")
    [msg] = await answered(fake, elsewhere)
    assert "discord.kb_guilds" in msg.payload["content"]
    assert (await engine.get_entry("refused")).id == "refused"
    channel = await fake.slash("supportbot", cast.mod, cast.help2, {"auto_reply": False}, sub="channel")
    [msg] = await answered(fake, channel)  # channel settings stay each server's own business
    assert "auto-replies are **off**" in msg.payload["content"]
    here = await fake.slash("kb", cast.mod, cast.help, {"id": "refused"}, sub="delete")
    [msg] = await answered(fake, here)
    assert "Deleted `refused`" in msg.payload["content"]


async def test_dashboard_link_is_private_and_signs_in_the_admin_once(
    bot: Running, fake: FakeDiscord, cast: Cast, engine: Engine
) -> None:
    from bot.weblinks import digest

    inter = await fake.slash("kb", cast.mod, cast.help, sub="dashboard")
    [msg] = await answered(fake, inter)
    assert msg.ephemeral
    text = msg.payload["content"]
    assert "works once, for 10 minutes" in text
    token = text.split("/login/", 1)[1].split()[0]
    assert text.split("/login/")[0].endswith("http://127.0.0.1:8081")
    at = "2000-01-01T00:00:00+00:00"
    assert await engine.store.take_web_token(digest(token), at) == f"discord:{cast.mod.id}"
    assert await engine.store.take_web_token(digest(token), at) is None
