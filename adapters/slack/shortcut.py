"""The message shortcut "Find answer": looks up any message and answers in its thread.

When the bot cannot post in that channel (not invited, or a DM), the answer goes to the person
who used the shortcut as an ephemeral message instead, with a hint to invite the bot.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.answering import Question, ask, question_text
from adapters.slack.manifest import SHORTCUT_CALLBACK
from adapters.slack.render import answer_message, context
from adapters.slack.respond import FAILURE, error_message, post_in_thread, reply
from adapters.slack.safety import guard
from adapters.slack.state import BotState
from bot.chat import TEXT_SUFFIXES
from bot.models import Mode, SupportBotError

NO_TEXT = f"That message has no text or text file ({', '.join(TEXT_SUFFIXES)}) to look up."
NOT_IN_CHANNEL = "Only you can see this: I am not a member of this channel. Invite me to answer in threads."
CANNOT_POST = ("not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_reply_to_message")


def register(app: AsyncApp, state: BotState) -> None:
    """Register the Find answer message shortcut."""

    async def on_find_answer(
        ack: AsyncAck, shortcut: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, context: Any
    ) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel = str((shortcut.get("channel") or {}).get("id", ""))
        thread = str(message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts") or "")
        text = question_text(str(message.get("text", "")), context.bot_user_id)
        files = tuple(message.get("files") or ())
        if not text and not files:
            await reply(respond, error_message(NO_TEXT))
            return
        team = str((shortcut.get("team") or {}).get("id") or context.team_id or "")
        user = str((shortcut.get("user") or {}).get("id", ""))
        try:
            answer, notes = await ask(state, client, Question(text, Mode.CONTEXT, team, channel, user, thread, files))
        except SupportBotError as exc:
            await reply(respond, error_message(str(exc)))
            return
        except Exception:
            state.log.exception("Find answer failed")
            await reply(respond, error_message(FAILURE))
            return
        if answer is None:
            return
        rendered = answer_message(answer, state.link_hosts, asked=text, notes=notes)
        try:
            await post_in_thread(client, channel, thread, rendered)
            await state.gate.mark(channel, thread)
        except SlackApiError as exc:
            if exc.response.get("error") not in CANNOT_POST:
                raise
            await reply(respond, guard({"text": rendered["text"], "blocks": [*rendered["blocks"][:49], _hint()]}))

    app.shortcut({"type": "message_action", "callback_id": SHORTCUT_CALLBACK})(on_find_answer)


def _hint() -> dict[str, Any]:
    return context(":information_source: " + NOT_IN_CHANNEL)
