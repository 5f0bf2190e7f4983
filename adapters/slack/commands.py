"""``/ask``: acknowledged at once, then answered through the command's response_url, in the
channel or (with ``private:`` or ``-p``) only to the person who asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.answering import Question, ask
from adapters.slack.manifest import ASK_COMMAND
from adapters.slack.render import answer_message
from adapters.slack.respond import FAILURE, error_message, reply
from adapters.slack.safety import from_slack
from adapters.slack.state import BotState
from bot.models import Mode, SupportBotError

PRIVATE_FLAGS = ("private:", "-p", "--private")
USAGE = (
    "Usage: `/ask <pasted error or question>`. Start with `private:` to get the answer only for yourself, "
    "for example `/ask private: Code=-1009`."
)


def split_private(text: str) -> tuple[str, bool]:
    """``("question", True)`` when the text starts with a private flag, else ``(text, False)``."""
    stripped = text.strip()
    lowered = stripped.lower()
    for flag in PRIVATE_FLAGS:
        if lowered == flag or lowered.startswith(flag + " ") or (flag.endswith(":") and lowered.startswith(flag)):
            return stripped[len(flag) :].strip(), True
    return stripped, False


def register(app: AsyncApp, state: BotState) -> None:
    """Register the /ask listener."""

    async def on_ask(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, context: Any
    ) -> None:
        # Acknowledge first: Slack shows an error if the command is not acknowledged within 3 s,
        # and the core may take longer than that.
        await ack()
        text, private = split_private(from_slack(str(command.get("text", ""))))
        if not text:
            await reply(respond, error_message(USAGE))
            return
        question = Question(
            text=text,
            mode=Mode.SLASH,
            team=str(command.get("team_id") or context.team_id or ""),
            channel=str(command.get("channel_id", "")),
            user=str(command.get("user_id", "")),
        )
        try:
            answer, notes = await ask(state, client, question)
        except SupportBotError as exc:
            await reply(respond, error_message(str(exc)))
            return
        except Exception:
            state.log.exception("/ask failed")
            await reply(respond, error_message(FAILURE))
            return
        if answer is None:  # explicit asks always get an answer; this is only a safeguard
            return
        await reply(respond, answer_message(answer, state.link_hosts, asked=text, notes=notes), private=private)

    app.command(ASK_COMMAND)(on_ask)
