"""Interactivity end to end: the Find answer shortcut, feedback buttons, other matches, and
mention safety in everything the bot posts."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.engine import Engine
from bot.store.sqlite import SQLiteStore

from .helpers import HttpBot
from .payloads import block_action_payload, command_payload, mention_event, shortcut_payload

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'
PINGS = re.compile(r"<!(channel|here|everyone|subteam)|<@|(?<!\w)@(channel|here|everyone)\b", re.IGNORECASE)


def qid_of(body: dict[str, Any]) -> str:
    for block in body["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == "feedback_helpful":
                return str(element["value"])
    raise AssertionError("no feedback button")


async def test_shortcut_answers_in_the_messages_thread(http: HttpBot) -> None:
    message = {
        "type": "message",
        "user": "U2",
        "text": OFFLINE,
        "ts": "1700000010.000005",
        "thread_ts": "1700000010.000001",
    }
    status, _ = await http.sender.interaction(shortcut_payload(http.fake, message))
    assert status == 200
    [post] = await http.fake.wait_for(lambda: http.fake.api("chat.postMessage"))
    assert post.args["channel"] == "C1" and post.args["thread_ts"] == "1700000010.000001"
    assert "NSURLErrorNotConnectedToInternet" in json.dumps(post.args["blocks"])


async def test_shortcut_on_a_top_level_message_starts_its_thread(http: HttpBot) -> None:
    message = {"type": "message", "user": "U2", "text": OFFLINE, "ts": "1700000011.000001"}
    await http.sender.interaction(shortcut_payload(http.fake, message))
    [post] = await http.fake.wait_for(lambda: http.fake.api("chat.postMessage"))
    assert post.args["thread_ts"] == "1700000011.000001"


async def test_shortcut_where_the_bot_is_not_a_member_answers_privately(http: HttpBot) -> None:
    http.fake.errors["chat.postMessage"] = "not_in_channel"
    message = {"type": "message", "user": "U2", "text": OFFLINE, "ts": "1700000012.000001"}
    await http.sender.interaction(shortcut_payload(http.fake, message))
    [body] = await http.fake.wait_for(http.fake.responses)
    assert body["response_type"] == "ephemeral"
    text = json.dumps(body)
    assert "NSURLErrorNotConnectedToInternet" in text and "Invite me" in text


async def test_shortcut_on_a_message_without_text(http: HttpBot) -> None:
    message = {"type": "message", "user": "U2", "text": "", "ts": "1700000013.000001"}
    await http.sender.interaction(shortcut_payload(http.fake, message))
    [body] = await http.fake.wait_for(http.fake.responses)
    assert "no text" in body["text"] and body["response_type"] == "ephemeral"


async def rows(store: SQLiteStore, sql: str) -> list[tuple[Any, ...]]:
    async with store.db.execute(sql) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def test_feedback_is_stored_with_the_query(http: HttpBot, engine: Engine, store: SQLiteStore) -> None:
    await http.sender.command(command_payload(http.fake, "/ask", OFFLINE))
    [answer] = await http.fake.wait_for(http.fake.responses)
    qid = qid_of(answer)
    await http.sender.interaction(block_action_payload(http.fake, "feedback_helpful", qid, user="U7"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 2)
    thanks = http.fake.responses()[1]
    assert thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    stats = await engine.stats()
    assert (stats.feedback_helpful, stats.feedback_unhelpful) == (1, 0)
    # The same person changing their mind updates their vote.
    await http.sender.interaction(block_action_payload(http.fake, "feedback_unhelpful", qid, user="U7"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 3)
    stats = await engine.stats()
    assert (stats.feedback_helpful, stats.feedback_unhelpful) == (0, 1)
    assert await rows(store, "SELECT query_id, actor, helpful FROM feedback") == [(int(qid), "slack:U7", 0)]
    [query] = await rows(store, f"SELECT platform, scope, channel, author, mode, top_id FROM queries WHERE id = {qid}")
    assert query == ("slack", "T0TEST", "C1", "slack:U1", "slash", "offline")


async def test_other_match_button_shows_that_entry_privately(http: HttpBot) -> None:
    await http.sender.interaction(block_action_payload(http.fake, "other_match_1", "refused"))
    [body] = await http.fake.wait_for(http.fake.responses)
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert body["blocks"][0]["text"]["text"].startswith("ECONNREFUSED")


async def test_other_match_for_a_deleted_entry(http: HttpBot) -> None:
    await http.sender.interaction(block_action_payload(http.fake, "other_match_0", "no-such-entry"))
    [body] = await http.fake.wait_for(http.fake.responses)
    assert "no entry" in body["text"]


async def test_nothing_posted_can_ping_anyone(http: HttpBot) -> None:
    # The knowledge base entry contains @everyone, <@&123> and <!channel>; the user adds more.
    await http.sender.command(command_payload(http.fake, "/ask", OFFLINE + " <!here> @channel <!subteam^S1|team>"))
    await http.sender.event(mention_event(OFFLINE + " <!everyone> <@U999>", channel="C1"))
    await http.sender.command(command_payload(http.fake, "/ask", "zzqx <!here> a &lt;b&gt; &amp; @everyone <@U5>"))
    await http.fake.wait_for(lambda: len(http.fake.responses()) == 2 and http.fake.api("chat.postMessage"))
    outgoing = [*http.fake.responses(), *(c.args for c in http.fake.api("chat.postMessage"))]
    for payload in outgoing:
        dumped = json.dumps(payload, ensure_ascii=False)
        assert not PINGS.search(dumped), PINGS.search(dumped)
    kb_body = json.dumps(outgoing[0], ensure_ascii=False)
    assert "&lt;!channel&gt;" in kb_body and "@\u2060everyone" in kb_body  # shown, but inert
    nothing = next(p for p in outgoing if "Nothing in the knowledge base" in json.dumps(p))
    echoed = json.dumps(nothing, ensure_ascii=False)
    assert "a &lt;b&gt; &amp;" in echoed  # the user's own text, escaped
