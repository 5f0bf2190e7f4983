"""One path from a Slack message to the core's answer, shared by /ask, mentions, the shortcut
and auto-replies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.access import PLATFORM, actor
from adapters.slack.safety import from_slack
from adapters.slack.state import BotState
from bot.chat import Limited
from bot.models import Answer, Incoming, Mode, Place


@dataclass(frozen=True)
class Question:
    """A question as Slack delivered it, before the core sees it."""

    text: str
    mode: Mode
    team: str
    channel: str
    user: str
    thread: str = ""
    files: tuple[dict[str, Any], ...] = field(default=())


async def ask(state: BotState, client: AsyncWebClient, q: Question) -> tuple[Answer | None, list[str]]:
    """Download the question's text files and ask the core. Returns the answer (None: stay
    silent) and notes about files that were left out."""
    attachments, notes = await state.files.collect(client, list(q.files))
    if refused := state.limiter.check(actor(q.user), q.text, attachments):
        if q.mode is Mode.AUTO:
            return None, notes
        raise Limited(refused)
    incoming = Incoming(
        text=q.text,
        mode=q.mode,
        place=Place(PLATFORM, q.team, q.channel, q.thread),
        author=actor(q.user),
        attachments=attachments,
    )
    return await state.engine.answer(incoming), notes


def question_text(text: str, bot_user_id: str | None) -> str:
    """The text of a Slack message for the core: the bot's own mention removed, markup decoded."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return from_slack(text).strip()


def mentions(text: str, bot_user_id: str | None) -> bool:
    """True when a message mentions the bot (then app_mention answers it, not the auto-reply)."""
    return bool(bot_user_id) and re.search(rf"<@{re.escape(str(bot_user_id))}(\|[^>]*)?>", text) is not None
