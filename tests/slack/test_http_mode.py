"""HTTP mode end to end: signed requests to the real endpoint, Bolt verifying them, /ask
answered through the response_url, acknowledgements within Slack's deadline, 429 retries."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from bot.curator import Curator
from bot.engine import Engine
from tests.core import eventually, http_get

from .fake_slack import BOT_TOKEN, FakeSlack
from .helpers import GatedEngine, HttpBot, start_http
from .payloads import command_payload, mention_event

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'


def all_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


async def test_ask_is_answered_in_channel_with_block_kit(http: HttpBot) -> None:
    status, _ = await http.sender.command(command_payload(http.fake, "/ask", OFFLINE))
    assert status == 200
    [body] = await http.fake.wait_for(http.fake.responses)
    assert body["response_type"] == "in_channel"
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds[0] == "header"
    assert "NSURLErrorNotConnectedToInternet" in body["blocks"][0]["text"]["text"]
    text = all_text(body)
    assert "<https://developer.apple.com/documentation/foundation/urlerror/code|URLError.Code (Apple)>" in text
    actions = [e["action_id"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "feedback_helpful" in actions and "feedback_unhelpful" in actions
    assert "NSURLErrorNotConnectedToInternet" in body["text"]


async def test_ask_private_is_ephemeral(http: HttpBot) -> None:
    await http.sender.command(command_payload(http.fake, "/ask", "private: " + OFFLINE))
    [body] = await http.fake.wait_for(http.fake.responses)
    assert body["response_type"] == "ephemeral"
    assert "NSURLErrorNotConnectedToInternet" in body["blocks"][0]["text"]["text"]


async def test_empty_ask_gets_usage(http: HttpBot, engine: Engine) -> None:
    await http.sender.command(command_payload(http.fake, "/ask", "  "))
    [body] = await http.fake.wait_for(http.fake.responses)
    assert body["response_type"] == "ephemeral"
    assert "Usage" in body["text"]
    assert (await engine.stats()).queries == 0


async def test_ack_comes_before_a_slow_core_answers(fake: FakeSlack, engine: Engine, curator: Curator) -> None:
    gated = GatedEngine(engine)
    running = await start_http(fake, gated, curator)
    try:
        # The sender gives up after 3 s like Slack: the ack must not wait for the core.
        status, body = await running.sender.command(command_payload(fake, "/ask", OFFLINE))
        assert status == 200 and body == ""
        await gated.started.wait()
        assert fake.responses() == []  # acknowledged, not answered yet
        gated.release.set()
        [answer] = await fake.wait_for(fake.responses)
        assert "NSURLErrorNotConnectedToInternet" in answer["blocks"][0]["text"]["text"]
    finally:
        await running.bot.close()


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "stale timestamp", "unsigned", "tampered body"],
)
async def test_bad_signatures_are_rejected(http: HttpBot, engine: Engine, how: str) -> None:
    payload = command_payload(http.fake, "/ask", OFFLINE)
    if how == "wrong secret":
        status, _ = await http.sender.command(payload, secret="not-the-secret")
    elif how == "stale timestamp":
        status, _ = await http.sender.command(payload, timestamp=int(time.time()) - 301)
    elif how == "unsigned":
        status, _ = await http.sender.command(payload, signed=False)
    else:
        from urllib.parse import urlencode

        body = urlencode(payload)
        headers = http.sender.headers(body)
        tampered = body.replace("Code%3D-1009", "Code%3D-1001")
        import aiohttp

        async with (
            aiohttp.ClientSession() as session,
            session.post(
                http.sender.url,
                data=tampered,
                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            ) as resp,
        ):
            status = resp.status
    assert status == 401
    # Nothing ran: no Web API call (not even auth.test), no answer, no query logged.
    assert http.fake.calls == []
    assert http.fake.responses() == []
    assert (await engine.stats()).queries == 0


async def test_a_timestamp_within_five_minutes_is_accepted(http: HttpBot) -> None:
    status, _ = await http.sender.command(command_payload(http.fake, "/ask", OFFLINE), timestamp=int(time.time()) - 240)
    assert status == 200
    await http.fake.wait_for(http.fake.responses)


async def test_bolt_checks_the_token_lazily_and_a_bad_token_runs_nothing(
    fake: FakeSlack, engine: Engine, curator: Curator
) -> None:
    fake.valid_bot_tokens = {"xoxb-some-other-token"}
    running = await start_http(fake, engine, curator)
    try:
        assert fake.calls == []  # nothing at start-up: auth.test comes with the first request
        status, _ = await running.sender.command(command_payload(fake, "/ask", OFFLINE))
        assert status == 200  # Bolt still answers 200 ...
        assert [c.method for c in fake.calls] == ["auth.test"]
        assert fake.calls[0].token == BOT_TOKEN
        # ... but no listener ran: nothing was asked or posted.
        assert (await engine.stats()).queries == 0
        assert fake.responses() == []
    finally:
        await running.bot.close()


async def test_rate_limited_post_is_retried_after_retry_after(http: HttpBot) -> None:
    # The fake answers 429 with Retry-After: 1 and keeps answering 429 for that whole second,
    # so a retry that ignored Retry-After would be refused again.
    http.fake.rate_limit("chat.postMessage", retry_after=1)
    await http.sender.event(mention_event(OFFLINE, ts="1700000001.000100"))
    await http.fake.wait_for(lambda: http.fake.api("chat.postMessage"))
    attempts = http.fake.api("chat.postMessage", ok_only=False)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].args["thread_ts"] == "1700000001.000100"


async def test_health_endpoint(http: HttpBot) -> None:
    # The public listener: /healthz for a load balancer, 503 until the token is checked; never /metrics.
    url = http.sender.url.replace("/slack/events", "/healthz")
    assert await http_get(url) == (503, "slack: connecting\n")
    task = asyncio.create_task(http.bot.run())
    try:
        await eventually(lambda: http_get(url), within=10)
        assert await http_get(url) == (200, "ok\n")
        assert (await http_get(url.replace("/healthz", "/metrics")))[0] == 404
    finally:
        task.cancel()


async def test_url_verification_challenge(http: HttpBot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    status, text = await http.sender.post(body, "application/json")
    assert status == 200 and "abc123" in text
