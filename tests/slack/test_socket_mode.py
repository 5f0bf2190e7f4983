"""Socket Mode end to end: apps.connections.open with the app token, the websocket fake sending
hello and envelopes, and acknowledgements recorded within Slack's 3-second deadline."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.slack import run
from adapters.slack.app import SlackBot
from bot.curator import Curator
from bot.engine import Engine
from bot.settings import Settings

from .fake_slack import APP_TOKEN, BOT_TOKEN, DeadlineMissed, FakeSlack
from .helpers import GatedEngine, slack_settings
from .payloads import (
    block_action_payload,
    command_payload,
    event_payload,
    mention_event,
    message_event,
    shortcut_payload,
    view_submission_payload,
)

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'


@contextlib.asynccontextmanager
async def socket_bot(fake: FakeSlack, engine: Any, curator: Curator) -> AsyncIterator[SlackBot]:
    bot = SlackBot(slack_settings(fake, mode="socket", signing_secret=None), engine, curator)
    await bot.connect_socket()
    try:
        yield bot
    finally:
        await bot.close()


@pytest.fixture
async def socket(fake: FakeSlack, engine: Engine, curator: Curator) -> AsyncIterator[SlackBot]:
    async with socket_bot(fake, engine, curator) as bot:
        yield bot


async def test_connects_with_the_app_token(fake: FakeSlack, socket: SlackBot) -> None:
    await asyncio.wait_for(fake.socket.connected.wait(), 10)
    [opened] = fake.api("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert fake.socket.connections == 1


async def test_slash_command_is_acked_then_answered(fake: FakeSlack, socket: SlackBot) -> None:
    ack = await fake.envelope("slash_commands", command_payload(fake, "/ask", OFFLINE), accepts_response_payload=True)
    assert "payload" not in ack or not ack["payload"]
    [body] = await fake.wait_for(fake.responses)
    assert body["response_type"] == "in_channel"
    assert "NSURLErrorNotConnectedToInternet" in body["blocks"][0]["text"]["text"]


async def test_ack_does_not_wait_for_a_slow_core(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    gated = GatedEngine(engine)
    async with socket_bot(fake, gated, curator):
        # envelope() raises DeadlineMissed when the ack takes longer than 3 s.
        await fake.envelope("slash_commands", command_payload(fake, "/ask", OFFLINE), accepts_response_payload=True)
        await gated.started.wait()
        assert fake.responses() == []
        gated.release.set()
        await fake.wait_for(fake.responses)


async def test_the_fake_enforces_the_deadline(engine: Engine, curator: Curator) -> None:
    # Without a listener for this callback nothing acknowledges; the fake must notice.
    fake = FakeSlack(deadline=0.5)
    await fake.start()
    try:
        async with socket_bot(fake, engine, curator):
            payload = view_submission_payload({"type": "modal", "callback_id": "unknown_view"}, {})
            with pytest.raises(DeadlineMissed, match=r"within 0\.5 s"):
                await fake.envelope("interactive", payload, accepts_response_payload=True)
    finally:
        await fake.close()


async def test_mention_and_auto_reply_events(fake: FakeSlack, socket: SlackBot) -> None:
    await fake.envelope("events_api", event_payload(mention_event(OFFLINE, channel="C1", ts="1700000020.000001")))
    await fake.envelope("events_api", event_payload(message_event(OFFLINE, ts="1700000021.000001")))
    await fake.wait_for(lambda: len(fake.api("chat.postMessage")) == 2)
    threads = sorted((c.args["channel"], c.args["thread_ts"]) for c in fake.api("chat.postMessage"))
    assert threads == [("C1", "1700000020.000001"), ("CHELP", "1700000021.000001")]
    assert {c.token for c in fake.api("chat.postMessage")} == {BOT_TOKEN}


async def test_interactive_envelopes(fake: FakeSlack, socket: SlackBot, engine: Engine) -> None:
    message = {"type": "message", "user": "U2", "text": OFFLINE, "ts": "1700000022.000001"}
    await fake.envelope("interactive", shortcut_payload(fake, message), accepts_response_payload=True)
    await fake.wait_for(lambda: fake.api("chat.postMessage"))
    await fake.envelope("slash_commands", command_payload(fake, "/ask", OFFLINE), accepts_response_payload=True)
    [answer] = await fake.wait_for(fake.responses)
    qid = next(
        e["value"] for b in answer["blocks"] for e in b.get("elements", []) if e.get("action_id") == "feedback_helpful"
    )
    await fake.envelope("interactive", block_action_payload(fake, "feedback_helpful", qid))
    await fake.wait_for(lambda: len(fake.responses()) == 2)
    assert (await engine.stats()).feedback_helpful == 1


async def test_view_submission_ack_carries_the_response_action(
    fake: FakeSlack, socket: SlackBot, engine: Engine
) -> None:
    await fake.envelope(
        "slash_commands", command_payload(fake, "/kb", "add", user="UADMIN"), accepts_response_payload=True
    )
    [opened] = await fake.wait_for(lambda: fake.api("views.open"))
    values = {"fields": 'id = "via-socket"\nkind = "howto"\ntitle = "Via socket"\nsummary = "Saved over Socket Mode."'}
    ack = await fake.envelope("interactive", view_submission_payload(opened.args["view"], values, user="UADMIN"), True)
    assert ack["payload"]["response_action"] == "update"
    assert (await engine.get_entry("via-socket")).title == "Via socket"


async def test_run_in_socket_mode_until_cancelled(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    settings = Settings(slack=slack_settings(fake, mode="socket"))
    task = asyncio.create_task(run(settings, engine, curator))
    try:
        await asyncio.wait_for(fake.socket.connected.wait(), 10)
        assert [c.method for c in fake.calls[:2]] == ["auth.test", "apps.connections.open"]
        await fake.envelope("events_api", event_payload(mention_event(OFFLINE, channel="C9")))
        [post] = await fake.wait_for(lambda: fake.api("chat.postMessage"))
        assert post.args["channel"] == "C9"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert fake.socket.ws is not None
    await fake.wait_for(lambda: fake.socket.ws is not None and fake.socket.ws.closed)


async def test_run_refuses_a_rejected_token(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    fake.valid_bot_tokens = {"xoxb-other"}
    from bot.models import SupportBotError

    with pytest.raises(SupportBotError, match="invalid_auth"):
        await asyncio.wait_for(run(Settings(slack=slack_settings(fake, mode="socket")), engine, curator), 10)


def test_missing_tokens_are_explained(engine: Engine, curator: Curator) -> None:
    from pydantic import SecretStr

    from bot.models import SupportBotError
    from bot.settings import SlackSettings

    with pytest.raises(SupportBotError, match="BOT_TOKEN"):
        SlackBot(SlackSettings(), engine, curator)
    with pytest.raises(SupportBotError, match="APP_TOKEN"):
        SlackBot(SlackSettings(bot_token=SecretStr("xoxb-1")), engine, curator)
    with pytest.raises(SupportBotError, match="SIGNING_SECRET"):
        SlackBot(SlackSettings(bot_token=SecretStr("xoxb-1"), mode="http"), engine, curator)
