"""The one way a reply is sent: through a command's or action's ``respond``, or in a thread.

Every reply goes without link previews; it is private (ephemeral) unless said otherwise.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import Message, text_message
from adapters.slack.safety import escape

FAILURE = "Sorry, something went wrong while looking that up. The error has been logged."


def error_message(text: str) -> Message:
    """A short warning for the user; ``text`` is escaped."""
    return text_message(":warning: " + escape(text))


async def reply(respond: AsyncRespond, message: Message, *, private: bool = True, keep_original: bool = False) -> None:
    """Send a rendered message through ``respond``; ``keep_original`` leaves the clicked message as it is."""
    kwargs: dict[str, Any] = {
        "text": message["text"],
        "blocks": message["blocks"],
        "response_type": "ephemeral" if private else "in_channel",
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if keep_original:
        kwargs["replace_original"] = False
    await respond(**kwargs)


async def post_in_thread(client: AsyncWebClient, channel: str, thread: str, message: Message) -> None:
    """Post a rendered message as a threaded reply, without link previews."""
    await client.chat_postMessage(
        channel=channel,
        thread_ts=thread,
        text=message["text"],
        blocks=message["blocks"],
        unfurl_links=False,
        unfurl_media=False,
    )
