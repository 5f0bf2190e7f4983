"""Button actions on answers: feedback (stored with the query), "More" and "Other matches".

"More" (the full answer) and an "Other matches" pick show the whole entry to the person who
clicked only (an ephemeral message next to the answer): the answer everyone sees stays short,
and a click by one member neither lengthens it for the channel nor adds a post to the thread.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack.access import actor
from adapters.slack.render import FEEDBACK_NO, FEEDBACK_YES, FULL_ANSWER, OTHER_MATCH, entry_message, text_message
from adapters.slack.respond import error_message, reply
from adapters.slack.state import BotState
from bot.models import SupportBotError

THANKS = {True: "Thanks! Marked as helpful.", False: "Thanks for telling us; this helps improve the answers."}


def register(app: AsyncApp, state: BotState) -> None:
    """Register the feedback, "More" and other-match button listeners."""

    async def on_feedback(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        helpful = action.get("action_id") == FEEDBACK_YES
        user = str((body.get("user") or {}).get("id", ""))
        try:
            query_id = int(str(action.get("value", "")))
            await state.engine.feedback(query_id, actor(user), helpful)
        except ValueError:
            return  # not a query id we wrote: ignore
        except SupportBotError as exc:
            await reply(respond, error_message(str(exc)), keep_original=True)
            return
        await reply(respond, text_message(THANKS[helpful]), keep_original=True)

    async def on_show_entry(ack: AsyncAck, action: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        entry_id = str(action.get("value", ""))
        try:
            entry = await state.engine.get_entry(entry_id)
        except SupportBotError as exc:
            await reply(respond, error_message(str(exc)), keep_original=True)
            return
        await reply(respond, entry_message(entry, state.link_hosts), keep_original=True)

    app.action(FEEDBACK_YES)(on_feedback)
    app.action(FEEDBACK_NO)(on_feedback)
    app.action(re.compile(rf"^{re.escape(OTHER_MATCH)}\d+$"))(on_show_entry)
    app.action(re.compile(rf"^{re.escape(FULL_ANSWER)}\d+$"))(on_show_entry)
