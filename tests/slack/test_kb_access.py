"""Who may do what with /kb, on real slack-bolt against the fake: every subcommand, by an admin
and by a member, in a workspace listed in ``slack.kb_workspaces`` and in one that is not.

An org-wide install puts one knowledge base in front of every workspace, so only admins of the
listed workspaces may change it; with none listed, nobody may. Reading commands work for any
workspace's admins; ``/kb channel`` changes only the workspace it runs in. A refused action
changes nothing and says why. (Slack has no ``/kb import``: files are imported on Discord or
with ``supportbot kb import``.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from adapters.slack.modals import entry_view
from bot.curator import Curator
from bot.engine import Engine
from bot.models import Incoming, Mode, Place

from .fake_slack import TEAM, FakeSlack
from .helpers import ADMIN, HttpBot, start_http
from .payloads import command_payload, view_submission_payload
from .test_admin import NEW_FIELDS, NEW_TABLES, initial, kb, submit, text_of

MEMBER = "UMEMBER"
ADMIN_ONLY = "Only workspace admins and owners"
NOT_LISTED = "slack.kb_workspaces"
CHANGES = {"add", "edit offline", "delete refused", "revert offline 1"}
COMMANDS = [
    "add",
    "edit offline",
    "delete refused",
    "revert offline 1",
    "channel on",
    "show offline",
    "history offline",
    "why Error Domain=NSURLErrorDomain Code=-1009",
    "gaps",
    "stats",
    "export",
]


async def snapshot(engine: Engine) -> tuple[Any, ...]:
    """Everything a /kb command could change: entries, revisions and channel settings."""
    db = engine.store.db  # type: ignore[attr-defined]
    out = []
    for sql in ("SELECT id, data FROM entries", "SELECT entry_id, rev, actor FROM revisions", "SELECT * FROM channels"):
        async with db.execute(sql + " ORDER BY 1, 2") as cur:
            out.append([tuple(r) for r in await cur.fetchall()])
    return tuple(out)


@pytest.fixture
async def unlisted(fake: FakeSlack, engine: Engine, curator: Curator) -> AsyncIterator[HttpBot]:
    """A bot whose kb_workspaces does not list the workspace the fake sends commands from."""
    running = await start_http(fake, engine, curator, kb_workspaces=["TOTHERWORKSPACE"])
    yield running
    await running.bot.close()


async def open_form(bot: HttpBot, text: str, user: str) -> dict[str, Any] | None:
    """Run ``/kb add`` or ``/kb edit``: the form the bot opened, or None when it replied instead."""
    opened, replied = len(bot.fake.api("views.open")), len(bot.fake.responses())
    await bot.sender.command(command_payload(bot.fake, "/kb", text, user=user))
    await bot.fake.wait_for(lambda: len(bot.fake.api("views.open")) > opened or len(bot.fake.responses()) > replied)
    if len(bot.fake.api("views.open")) > opened:
        view: dict[str, Any] = bot.fake.api("views.open")[-1].args["view"]
        return view
    return None


async def run(bot: HttpBot, text: str, user: str) -> str:
    """Run one /kb command to its end (a form is filled in and submitted); what the user saw."""
    if text.split()[0] not in ("add", "edit"):
        return text_of(await kb(bot, text, user=user))
    view = await open_form(bot, text, user)
    if view is None:
        return text_of(bot.fake.responses()[-1])
    if text == "add":
        values = {"fields": NEW_FIELDS, "tables": NEW_TABLES, "body": "Body.", "reason": "matrix"}
    else:
        fields = initial(view, "fields").replace("The device had no network path", "No network path existed")
        values = {"fields": fields, "tables": initial(view, "tables"), "body": initial(view, "body"), "reason": "x"}
    ack = await submit(bot, view, values, user=user)
    assert ack["response_action"] == "update", ack
    return "form saved"


CASES = [(c, who, where) for c in COMMANDS for who in ("admin", "member") for where in ("listed", "unlisted")]


@pytest.mark.parametrize(("command", "who", "where"), CASES, ids=[f"{c.split()[0]}-{w}-{p}" for c, w, p in CASES])
async def test_permission_matrix(
    http: HttpBot,
    unlisted: HttpBot,
    engine: Engine,
    curator: Curator,
    command: str,
    who: str,
    where: str,
) -> None:
    entry = await engine.get_entry("offline")  # a second revision, so reverting to 1 changes something
    await curator.save_entry(replace(entry, summary=entry.summary + " Check Wi-Fi."), "test", "setup", create=False)
    http.fake.add_user(MEMBER)
    bot = http if where == "listed" else unlisted
    user = ADMIN if who == "admin" else MEMBER
    before = await snapshot(engine)
    shown = await run(bot, command, user)
    if who == "member":
        assert ADMIN_ONLY in shown
        assert await snapshot(engine) == before
    elif where == "unlisted" and command in CHANGES:
        assert NOT_LISTED in shown and "Nothing was changed" in shown
        assert await snapshot(engine) == before
    else:
        assert ADMIN_ONLY not in shown and NOT_LISTED not in shown and "Unknown" not in shown, shown
        if command in CHANGES or command.startswith("channel"):
            assert await snapshot(engine) != before
        else:
            assert await snapshot(engine) == before


async def test_no_form_opens_and_no_submission_saves_outside_listed_workspaces(
    unlisted: HttpBot, engine: Engine
) -> None:
    assert await open_form(unlisted, "add", ADMIN) is None
    assert unlisted.fake.api("views.open") == []
    # A submission of a form opened elsewhere (or forged) is checked again.
    view = entry_view(None) | {"id": "V1"}
    values = {"fields": NEW_FIELDS, "tables": NEW_TABLES, "body": "", "reason": ""}
    before = await snapshot(engine)
    status, body = await unlisted.sender.interaction(view_submission_payload(view, values, user=ADMIN))
    assert status == 200 and NOT_LISTED in body
    assert await snapshot(engine) == before


async def test_with_no_workspace_listed_nobody_changes_the_knowledge_base(
    fake: FakeSlack, engine: Engine, curator: Curator
) -> None:
    bot = await start_http(fake, engine, curator, kb_workspaces=[])  # the default
    try:
        before = await snapshot(engine)
        assert "no workspace is listed there" in await run(bot, "delete refused", ADMIN)
        assert await snapshot(engine) == before
        assert "NSURLErrorNotConnectedToInternet" in text_of(await kb(bot, "show offline"))
    finally:
        await bot.bot.close()


async def test_gaps_show_only_this_workspaces_questions(http: HttpBot, unlisted: HttpBot, engine: Engine) -> None:
    for scope, code in ((TEAM, -7777777), ("TOTHERWORKSPACE", -8888888)):
        text = f"Error Domain=NSURLErrorDomain Code={code} from {scope}"
        await engine.answer(Incoming(text, Mode.SLASH, Place("slack", scope, "C1", ""), "slack:U1"))
    await engine.answer(
        Incoming(
            "Error Domain=NSURLErrorDomain Code=-6666666 on discord",
            Mode.SLASH,
            Place("discord", TEAM, "1", ""),
            "discord:1",
        )
    )
    own = text_of(await kb(unlisted, "gaps"))  # an admin of an unlisted workspace: its own questions
    assert "-7777777" in own and "-8888888" not in own and "-6666666" not in own
    everything = text_of(await kb(http, "gaps"))  # a knowledge-base admin: every community's
    assert all(code in everything for code in ("-7777777", "-8888888", "-6666666"))
