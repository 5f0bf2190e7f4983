"""deploy/slack-manifest.yml asks for exactly what the adapter uses, and the app answers
everything the manifest declares."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack import manifest as m

from .helpers import HttpBot
from .payloads import command_payload, message_event, shortcut_payload

ROOT = Path(__file__).parent.parent.parent
ADAPTER = ROOT / "adapters" / "slack"

# Every Web API method the adapter calls, and the bot scope it needs (None: no scope).
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "files_info": "files:read",  # and downloading url_private_download
    "files_upload_v2": "files:write",
    "users_info": "users:read",
    "views_open": None,
    # A thread's first message ("Save as knowledge entry"); groups:history for private channels.
    "conversations_replies": "channels:history",
    "auth_test": None,
}
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
}


def test_the_file_is_the_generated_manifest() -> None:
    assert (ROOT / "deploy" / "slack-manifest.yml").read_text(encoding="utf-8") == m.render()


def test_scopes_are_exactly_the_ones_used() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in ADAPTER.glob("*.py"))
    called = set(re.findall(r"client\.(\w+)\(", source))
    assert called <= set(METHOD_SCOPES), f"add the scope for {called - set(METHOD_SCOPES)} to the manifest"
    needed = {METHOD_SCOPES[c] for c in called} | {EVENT_SCOPES[e] for e in m.BOT_EVENTS} | {"commands"}
    assert set(m.manifest()["oauth_config"]["scopes"]["bot"]) == needed - {None}


def test_socket_and_http_variants() -> None:
    socket = m.manifest()
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    http = m.manifest("https://bot.example.com/")
    url = "https://bot.example.com/slack/events"
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == url
    assert http["settings"]["interactivity"]["request_url"] == url
    assert {c["url"] for c in http["features"]["slash_commands"]} == {url}
    assert m.render("https://bot.example.com").count(f'"{url}"') == 4


def test_yaml_writer_round_trips_simple_json_values() -> None:
    text = m.to_yaml({"a": [{"b": "x: y", "c": True}, {"d": []}], "e": {"f": "#1"}})
    assert text == 'a:\n  - b: "x: y"\n    c: true\n  - d: []\ne:\n  f: "#1"'


async def test_every_declared_command_and_shortcut_has_a_listener(http: HttpBot) -> None:
    for command, _, _ in m.SLASH_COMMANDS:
        before = len(http.fake.responses())
        status, _ = await http.sender.command(command_payload(http.fake, command, "help"))
        assert status == 200
        await http.fake.wait_for(lambda before=before: len(http.fake.responses()) > before)
    shortcuts = m.manifest()["features"]["shortcuts"]
    assert [s["callback_id"] for s in shortcuts] == [m.SHORTCUT_CALLBACK, m.SAVE_CALLBACK]
    for n, shortcut in enumerate(shortcuts, 3):
        payload = shortcut_payload(http.fake, {"type": "message", "text": "", "ts": "1700000030.000001"})
        payload["callback_id"] = shortcut["callback_id"]
        status, _ = await http.sender.interaction(payload)
        assert status == 200
        await http.fake.wait_for(lambda n=n: len(http.fake.responses()) == n)


async def test_private_channel_messages_are_auto_answered_too(http: HttpBot) -> None:
    # message.groups: the same message event with channel_type "group".
    event = message_event('Error Domain=NSURLErrorDomain Code=-1009 "offline"', channel_type="group")
    status, _ = await http.sender.event(event)
    assert status == 200
    [post] = await http.fake.wait_for(lambda: http.fake.api("chat.postMessage"))
    assert (post.args["channel"], post.args["thread_ts"]) == (event["channel"], event["ts"])
    assert "NSURLErrorNotConnectedToInternet" in post.args["blocks"][0]["text"]["text"]
