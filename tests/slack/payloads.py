"""What Slack sends to an app: payloads for commands, events and interactions, and the sender
of HTTP-mode requests, signing them like Slack and giving up after 3 s like Slack does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp

from .fake_slack import APP_ID, BOT_USER, DEADLINE, SIGNING_SECRET, TEAM, DeadlineMissed, FakeSlack

# ---------------------------------------------------------------- payloads Slack sends


def command_payload(fake: FakeSlack, command: str, text: str, user: str = "U1", channel: str = "C1") -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "response_url": fake.response_url(),
        "trigger_id": "trigger-" + uuid.uuid4().hex[:8],
    }


def event_payload(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10],
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def message_event(
    text: str, user: str = "U1", channel: str = "CHELP", ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    ts = ts or f"1700000100.{uuid.uuid4().int % 10**6:06d}"
    return {
        "type": "message",
        "user": user,
        "text": text,
        "channel": channel,
        "channel_type": "channel",
        "ts": ts,
        "event_ts": ts,
        **extra,
    }


def mention_event(
    text: str, user: str = "U1", channel: str = "C1", ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    event = message_event(f"<@{BOT_USER}> {text}", user, channel, ts, **extra)
    event["type"] = "app_mention"
    event.pop("channel_type")
    return event


def block_action_payload(
    fake: FakeSlack, action_id: str, value: str, user: str = "U1", channel: str = "C1"
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "trigger-" + uuid.uuid4().hex[:8],
        "team": {"id": TEAM, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": "1700000000.000001", "text": "answer"},
        "response_url": fake.response_url(),
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "x"},
                "value": value,
                "type": "button",
                "action_ts": str(time.time()),
            }
        ],
    }


def select_action_payload(fake: FakeSlack, action_id: str, value: str, user: str = "U1") -> dict[str, Any]:
    """A pick in a static_select the bot posted (``value`` is the option's value)."""
    payload = block_action_payload(fake, action_id, "", user)
    payload["actions"] = [
        {
            "action_id": action_id,
            "block_id": "b1",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
            "action_ts": str(time.time()),
        }
    ]
    return payload


def shortcut_payload(
    fake: FakeSlack, message: dict[str, Any], user: str = "U1", channel: str = "C1", callback_id: str = "find_answer"
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": str(time.time()),
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": channel, "name": "general"},
        "callback_id": callback_id,
        "trigger_id": "trigger-" + uuid.uuid4().hex[:8],
        "message_ts": message["ts"],
        "message": message,
        "response_url": fake.response_url(),
    }


def view_submission_payload(view: dict[str, Any], values: dict[str, str], user: str = "U1") -> dict[str, Any]:
    """A view_submission for a modal the bot opened, with the given input values by block id."""
    state = {block: {"value": {"type": "plain_text_input", "value": value}} for block, value in values.items()}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "trigger-" + uuid.uuid4().hex[:8],
        "view": {**view, "id": "V1", "team_id": TEAM, "state": {"values": state}},
    }


# ---------------------------------------------------------------- HTTP mode sender


class SlackSender:
    """Sends signed requests to the app's HTTP endpoint the way Slack does (3-second deadline)."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET, *, deadline: float = DEADLINE) -> None:
        self.url = url
        self.secret = secret
        self.deadline = deadline

    def headers(self, body: str, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        base = f"v0:{ts}:{body}".encode()
        signature = "v0=" + hmac.new((secret or self.secret).encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        signed: bool = True,
        retry: int | None = None,
    ) -> tuple[int, str]:
        headers = {"Content-Type": content_type}
        if retry is not None:  # Slack's redelivery of an event it thinks was not acknowledged
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        if signed:
            headers.update(self.headers(body, timestamp, secret))
        timeout = aiohttp.ClientTimeout(total=self.deadline)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self.url, data=body.encode(), headers=headers) as resp,
            ):
                return resp.status, await resp.text()
        except TimeoutError:
            raise DeadlineMissed(f"no response within {self.deadline} s") from None

    async def command(self, payload: dict[str, str], **kw: Any) -> tuple[int, str]:
        return await self.post(urlencode(payload), "application/x-www-form-urlencoded", **kw)

    async def event(self, event: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return await self.post(json.dumps(event_payload(event)), "application/json", **kw)

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw)
