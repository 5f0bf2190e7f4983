"""Events: ``app_mention`` (answer in the thread) and ``message`` (auto-replies in help channels).

Auto-replies answer only top-level messages from people (no bots, no edits, no other
subtypes except a message that shares a file), only when the core is confident, at most once
per thread and once per channel per cooldown.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.access import PLATFORM
from adapters.slack.answering import Question, ask, mentions, question_text
from adapters.slack.render import answer_message
from adapters.slack.respond import FAILURE, error_message, post_in_thread
from adapters.slack.state import BotState
from bot.models import Mode, SupportBotError

MENTION_HINT = (
    "Mention me together with the error text or question (a .txt, .log, .ips or .crash file works too), "
    "or use the *Find answer* shortcut on a message."
)
# Subtypes that are still a person writing a new message; every other subtype (edits,
# deletions, joins, bot messages, thread broadcasts ...) is ignored.
ANSWERABLE_SUBTYPES = (None, "file_share")


def register(app: AsyncApp, state: BotState) -> None:
    """Register the app_mention and message listeners."""

    async def on_mention(event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        await answer_mention(state, client, event, context)

    async def on_message(event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        await auto_reply(state, client, event, context)

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


async def answer_mention(state: BotState, client: AsyncWebClient, event: dict[str, Any], context: Any) -> None:
    """An @mention is an explicit ask: answered in its thread, or told how to ask."""
    if event.get("bot_id") or event.get("subtype") not in ANSWERABLE_SUBTYPES:
        return
    channel = str(event.get("channel", ""))
    thread = str(event.get("thread_ts") or event.get("ts") or "")
    text = question_text(str(event.get("text", "")), context.bot_user_id)
    files = tuple(event.get("files") or ())
    try:
        if not text and not files:
            await post_in_thread(client, channel, thread, error_message(MENTION_HINT))
            return
        question = Question(
            text, Mode.MENTION, str(context.team_id or ""), channel, str(event.get("user", "")), thread, files
        )
        try:
            answer, notes = await ask(state, client, question)
        except SupportBotError as exc:
            await post_in_thread(client, channel, thread, error_message(str(exc)))
            return
        except Exception:
            state.log.exception("answering a mention failed")
            await post_in_thread(client, channel, thread, error_message(FAILURE))
            return
        if answer is None:
            return
        await state.gate.mark(channel, thread)
        await post_in_thread(client, channel, thread, answer_message(answer, state.link_hosts, asked=text, notes=notes))
    except SlackApiError as exc:
        state.log.warning("could not answer a mention in %s: %s", channel, exc.response.get("error"))


async def auto_reply(state: BotState, client: AsyncWebClient, event: dict[str, Any], context: Any) -> None:
    """A message in a help channel: answered in a thread when the core is confident and the gate allows."""
    if not _auto_reply_candidate(event, context.bot_user_id):
        return
    channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
    decision = await _auto_reply(state, client, event, context, channel, ts)
    # One line per decision, as the Discord adapter logs them: with several replicas (or a
    # retry), the log says which one answered a message and why the others stayed quiet.
    state.log.debug("auto-reply to %s in %s: %s", ts, channel, decision)


async def _auto_reply(
    state: BotState, client: AsyncWebClient, event: dict[str, Any], context: Any, channel: str, ts: str
) -> str:
    team = str(context.team_id or "")
    settings = await state.engine.channel_settings(
        PLATFORM, team, channel, configured=state.configured_channel(channel)
    )
    # Cheap checks before asking the core, so a cooling channel logs no unanswered query.
    if not settings.auto_reply:
        return "skip: auto-replies off here"
    if await state.gate.answered(channel, ts):
        return "skip: already answered"
    if await state.gate.cooling(channel):
        return "skip: cooldown"
    text = question_text(str(event.get("text", "")), context.bot_user_id)
    files = tuple(event.get("files") or ())
    try:
        answer, notes = await ask(
            state, client, Question(text, Mode.AUTO, team, channel, str(event.get("user", "")), ts, files)
        )
    except Exception:
        # An auto-reply nobody asked for never posts an error; it only logs one.
        state.log.exception("auto-reply failed in %s", channel)
        return "error"
    if answer is None:
        return "silent: not confident"
    # Claimed after the await: another replica (or Slack's retry) may have answered meanwhile.
    if not await state.gate.claim(channel, ts):
        return "skip: answered meanwhile"
    try:
        await post_in_thread(client, channel, ts, answer_message(answer, state.link_hosts, notes=notes))
    except SlackApiError as exc:
        state.log.warning("could not auto-reply in %s: %s", channel, exc.response.get("error"))
        return "failed: " + str(exc.response.get("error"))
    return "replied"


def _auto_reply_candidate(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A top-level message a person wrote (or shared a file with) that does not mention the bot."""
    if event.get("subtype") not in ANSWERABLE_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        return False
    if event.get("edited") or event.get("hidden"):
        return False
    thread_ts = event.get("thread_ts")
    if thread_ts and thread_ts != event.get("ts"):
        return False
    if event.get("channel_type") not in (None, "channel", "group"):
        return False
    if mentions(str(event.get("text", "")), bot_user_id):
        return False  # app_mention answers it
    return bool(str(event.get("text", "")).strip() or event.get("files"))
