"""/kb review and "Save as knowledge entry" end to end through Bolt in HTTP mode and the fake Slack."""

from __future__ import annotations

import json
from typing import Any

from bot.curator import Curator
from bot.engine import Engine
from bot.models import Incoming, Mode, Outcome, Place

from .fake_slack import TEAM, FakeSlack
from .helpers import ADMIN, HttpBot, start_http
from .payloads import (
    block_action_payload,
    command_payload,
    select_action_payload,
    shortcut_payload,
    view_submission_payload,
)

UNKNOWN = 'Error Domain=NSURLErrorDomain Code=-1234 "weird"'
VAGUE = "my internet is gone sometimes"  # nothing matched, but "offline" is the likely entry
HERE = Place("slack", TEAM, "C1")


async def miss(engine: Engine, text: str, place: Place = HERE, author: str = "slack:U1") -> None:
    answer = await engine.answer(Incoming(text, Mode.SLASH, place, author))
    assert answer is not None and answer.outcome is not Outcome.ANSWER


async def kb(http: HttpBot, text: str, user: str = ADMIN) -> dict[str, Any]:
    before = len(http.fake.responses())
    await http.sender.command(command_payload(http.fake, "/kb", text, user=user))
    await http.fake.wait_for(lambda: len(http.fake.responses()) > before)
    return http.fake.responses()[-1]


async def click(http: HttpBot, payload: dict[str, Any]) -> dict[str, Any]:
    before = len(http.fake.responses())
    status, _ = await http.sender.interaction(payload)
    assert status == 200
    await http.fake.wait_for(lambda: len(http.fake.responses()) > before)
    return http.fake.responses()[-1]


async def opened_view(http: HttpBot, payload: dict[str, Any]) -> dict[str, Any]:
    before = len(http.fake.api("views.open"))
    status, _ = await http.sender.interaction(payload)
    assert status == 200
    await http.fake.wait_for(lambda: len(http.fake.api("views.open")) > before)
    call = http.fake.api("views.open")[-1]
    assert call.args["trigger_id"] == payload["trigger_id"]
    return dict(call.args["view"])


def initial(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return str(block["element"].get("initial_value", ""))


async def submit(http: HttpBot, view: dict[str, Any], values: dict[str, str], user: str = ADMIN) -> dict[str, Any]:
    status, body = await http.sender.interaction(view_submission_payload(view, values, user=user))
    assert status == 200
    return dict(json.loads(body)) if body else {}


def action_ids(reply: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e.get("value", "")) for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


async def test_review_lists_and_creates_from_the_draft(http: HttpBot, engine: Engine) -> None:
    await miss(engine, UNKNOWN)
    reply = await kb(http, "review")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"].startswith("*#1 " + UNKNOWN + "*\n1× unknown-code")
    assert action_ids(reply) == [("review_create", "1"), ("review_teach", "1"), ("review_dismiss", "1")]
    view = await opened_view(http, block_action_payload(http.fake, "review_create", "1", user=ADMIN))
    assert json.loads(view["private_metadata"]) == {"mode": "add", "id": "", "review": 1}
    assert "code = -1234" in initial(view, "tables") and 'summary = ""' in initial(view, "fields")
    fields = initial(view, "fields").replace('summary = ""', 'summary = "Code -1234 means X."')
    ack = await submit(http, view, {"fields": fields, "tables": initial(view, "tables"), "body": ""})
    assert ack["response_action"] == "update", ack
    entry_id = fields.split('"')[1]
    [rev] = await engine.history(entry_id)
    assert (rev.actor, rev.reason) == (f"slack:{ADMIN}", "from review item #1")
    answer = await engine.answer(Incoming(UNKNOWN, Mode.SLASH, HERE, "slack:U2"))
    assert answer is not None and answer.matches[0].entry.id == entry_id
    assert "empty" in (await kb(http, "review"))["text"]


async def test_teach_from_the_select(http: HttpBot, engine: Engine) -> None:
    await miss(engine, VAGUE)
    await kb(http, "review")
    picker = await click(http, block_action_payload(http.fake, "review_teach", "1", user=ADMIN))
    select = picker["blocks"][0]["accessory"]
    assert select["action_id"] == "review_teach_pick"
    values = [o["value"] for o in select["options"]]
    assert json.dumps([1, "offline"]) in values
    done = await click(http, select_action_payload(http.fake, "review_teach_pick", json.dumps([1, "offline"]), ADMIN))
    assert f"alias '{VAGUE}'" in done["text"]
    assert (await engine.history("offline"))[-1].actor == f"slack:{ADMIN}"
    answer = await engine.answer(Incoming(VAGUE, Mode.SLASH, HERE, "slack:U2"))
    assert answer is not None and answer.matches[0].entry.id == "offline"


async def test_typed_teach_and_dismiss_with_a_form(http: HttpBot, engine: Engine) -> None:
    await miss(engine, VAGUE)
    await miss(engine, "what is the weather today")
    taught = await kb(http, "review teach 1 offline pattern")
    assert "pattern" in taught["text"] and "revision 2" in taught["text"]
    assert "Usage" in (await kb(http, "review teach 2 offline sideways"))["text"]
    view = await opened_view(http, block_action_payload(http.fake, "review_dismiss", "2", user=ADMIN))
    assert view["callback_id"] == "kb_review_dismiss"
    assert await submit(http, view, {"reason": "off-topic"}) == {}
    rows = await engine.store._run("SELECT item_id, actor, detail FROM review_events WHERE action = 'dismissed'")
    assert [tuple(r) for r in rows] == [(2, f"slack:{ADMIN}", "off-topic")]
    assert "already handled" in (await kb(http, "review dismiss 2 again"))["text"]


async def test_members_are_refused_everywhere(http: HttpBot, engine: Engine) -> None:
    await miss(engine, VAGUE)
    http.fake.add_user("UMEMBER")
    assert "Only workspace admins" in json.dumps(await kb(http, "review", user="UMEMBER"))
    for action in ("review_create", "review_teach", "review_dismiss"):
        refused = await click(http, block_action_payload(http.fake, action, "1", user="UMEMBER"))
        assert "Only workspace admins" in refused["text"]
    assert http.fake.api("views.open") == []
    view = {"callback_id": "kb_review_dismiss", "private_metadata": "1", "type": "modal", "blocks": []}
    ack = await submit(http, view, {"reason": "x"}, user="UMEMBER")
    assert ack["response_action"] == "errors"
    assert await engine.store._run("SELECT * FROM review_events") == []


async def test_each_workspace_sees_its_own_items(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    # This workspace does not manage the knowledge base: it sees only its own misses, and may not teach.
    http = await start_http(fake, engine, curator, kb_workspaces=[])
    try:
        await miss(engine, VAGUE, Place("slack", "TOTHER", "C9"))
        await miss(engine, "what is the weather today", Place("discord", "G1", "C9"), "discord:1")
        assert "empty" in (await kb(http, "review"))["text"]
        refused = await click(http, block_action_payload(http.fake, "review_teach", "1", user=ADMIN))
        assert "no review item 1" in refused["text"]
        assert "no review item 2" in (await kb(http, "review dismiss 2 nope"))["text"]
    finally:
        await http.bot.close()


async def test_a_workspace_that_manages_the_kb_sees_every_item(http: HttpBot, engine: Engine) -> None:
    await miss(engine, VAGUE, Place("slack", "TOTHER", "C9"))
    await miss(engine, "what is the weather today", Place("discord", "G1", "C9"), "discord:1")
    assert "2 items" in (await kb(http, "review"))["text"]


async def test_save_a_thread_reply_as_an_entry(http: HttpBot, engine: Engine) -> None:
    question = {
        "type": "message",
        "user": "U2",
        "text": "How do I pin a certificate in URLSession?",
        "ts": "1700000020.000001",
    }
    answer = {
        "type": "message",
        "user": "U3",
        "text": "Implement urlSession(_:didReceive:completionHandler:) and compare the SPKI hash.",
        "ts": "1700000020.000009",
        "thread_ts": question["ts"],
    }
    http.fake.add_thread("C1", [question | {"thread_ts": question["ts"]}, answer])
    view = await opened_view(http, shortcut_payload(http.fake, answer, user=ADMIN, callback_id="save_entry"))
    [call] = http.fake.api("conversations.replies")
    assert (call.args["channel"], call.args["ts"]) == ("C1", question["ts"])
    assert 'title = "How do I pin a certificate in URLSession"' in initial(view, "fields")
    assert initial(view, "body").startswith("Implement urlSession(")
    meta = json.loads(view["private_metadata"])
    assert meta["credit"] == "from a reply by slack:U3 in a help thread"
    values = {"fields": initial(view, "fields"), "tables": initial(view, "tables"), "body": initial(view, "body")}
    ack = await submit(http, view, values | {"reason": "good answer"})
    assert ack["response_action"] == "update", ack
    [rev] = await engine.history("pin-certificate-urlsession")
    assert (rev.actor, rev.reason) == (f"slack:{ADMIN}", "good answer (from a reply by slack:U3 in a help thread)")


async def test_save_refuses_members_top_level_messages_and_lost_threads(http: HttpBot) -> None:
    reply = {
        "type": "message",
        "user": "U3",
        "text": "Use the delegate.",
        "ts": "1700000030.000002",
        "thread_ts": "1700000030.000001",
    }
    http.fake.add_user("UMEMBER")
    member = await click(http, shortcut_payload(http.fake, reply, user="UMEMBER", callback_id="save_entry"))
    assert "Only workspace admins" in member["text"]
    top = {"type": "message", "user": "U3", "text": "How?", "ts": "1700000031.000001"}
    refused = await click(http, shortcut_payload(http.fake, top, user=ADMIN, callback_id="save_entry"))
    assert "reply in a thread" in refused["text"]
    lost = await click(http, shortcut_payload(http.fake, reply, user=ADMIN, callback_id="save_entry"))
    assert "thread_not_found" in lost["text"]
    assert http.fake.api("views.open") == []
