"""The Slack app manifest, built from the same names the listeners register.

``deploy/slack-manifest.yml`` is this module's output (a test keeps them equal). Regenerate with
``python -m adapters.slack.manifest > deploy/slack-manifest.yml``; for HTTP mode pass the public
base URL: ``python -m adapters.slack.manifest --url https://bot.example.com``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

APP_NAME = "supportbot"
ASK_COMMAND = "/ask"
KB_COMMAND = "/kb"
SHORTCUT_CALLBACK = "find_answer"
SHORTCUT_NAME = "Find answer"
SAVE_CALLBACK = "save_entry"
SAVE_NAME = "Save as knowledge entry"
EVENTS_PATH = "/slack/events"

# Each scope, and the one thing it is used for.
BOT_SCOPES = {
    "app_mentions:read": "app_mention events (answering @mentions)",
    "channels:history": "message events in public help channels (auto-replies); a thread's first message",
    "groups:history": "message events in private help channels (auto-replies); a thread's first message",
    "chat:write": "threaded answers (chat.postMessage)",
    "commands": "the /ask and /kb commands and the Find answer and Save as knowledge entry shortcuts",
    "files:read": "files.info and downloading text files shared with a question",
    "files:write": "/kb export (uploading the knowledge files)",
    "users:read": "users.info (is the user a workspace admin or owner?)",
}
BOT_EVENTS = ("app_mention", "message.channels", "message.groups")
SLASH_COMMANDS = (
    (ASK_COMMAND, "Look up an error or question in the knowledge base", "[private:] pasted error or question"),
    (
        KB_COMMAND,
        "Knowledge base admin (admins only)",
        "help | add | edit ID | show ID | why TEXT | review | stats | channel on",
    ),
)


def manifest(url: str | None = None) -> dict[str, Any]:
    """The manifest as a dict: Socket Mode without ``url``, HTTP mode (request URLs) with it."""
    request_url = url.rstrip("/") + EVENTS_PATH if url else None
    commands = []
    for command, description, hint in SLASH_COMMANDS:
        entry: dict[str, Any] = {"command": command, "description": description, "usage_hint": hint}
        if request_url:
            entry["url"] = request_url
        entry["should_escape"] = False
        commands.append(entry)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        events = {"request_url": request_url, **events}
        interactivity["request_url"] = request_url
    return {
        "display_information": {
            "name": APP_NAME,
            "description": "Answers networking errors and questions from a curated knowledge base.",
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": commands,
            "shortcuts": [
                {
                    "name": SHORTCUT_NAME,
                    "type": "message",
                    "callback_id": SHORTCUT_CALLBACK,
                    "description": "Look this message up in the knowledge base",
                },
                {
                    "name": SAVE_NAME,
                    "type": "message",
                    "callback_id": SAVE_CALLBACK,
                    "description": "Admins: save this reply as a knowledge entry (the thread's question as its title)",
                },
            ],
        },
        "oauth_config": {"scopes": {"bot": sorted(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": url is None,
            "token_rotation_enabled": False,
        },
    }


def to_yaml(value: Any, indent: int = 0) -> str:
    """A small YAML writer for the manifest (strings are JSON-quoted, which YAML reads as-is)."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{to_yaml(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                inner = to_yaml(item, indent + 1)
                lines.append(f"{pad}- {inner.lstrip()}")
            else:
                lines.append(f"{pad}- {_scalar(item)}")
        return "\n".join(lines)
    return pad + _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def render(url: str | None = None) -> str:
    """The manifest file's text."""
    mode = f"HTTP mode (requests to {url.rstrip('/')}{EVENTS_PATH})" if url else "Socket Mode (no public URL needed)"
    head = (
        f"# Slack app manifest for supportbot, {mode}.\n"
        "# Create the app at https://api.slack.com/apps -> Create New App -> From a manifest, and paste this.\n"
        "# Generated by: python -m adapters.slack.manifest" + (f" --url {url}" if url else "") + "\n"
    )
    return head + to_yaml(manifest(url)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the Slack app manifest.")
    parser.add_argument("--url", help="public base URL for HTTP mode (default: Socket Mode)")
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
