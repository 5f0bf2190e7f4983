"""One path from a Discord question to the core's answer, shared by /ask, "Find answer",
mentions and auto-replies, and the reply an answer becomes."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.access import actor_of
from adapters.discord.render import answer_embeds, runner_ups
from adapters.discord.respond import Reply
from adapters.discord.state import BotState
from adapters.discord.views import answer_view
from bot.chat import Limited
from bot.models import Answer, Attachment, Incoming, Mode, Place


async def ask(
    state: BotState,
    text: str,
    mode: Mode,
    place: Place,
    author: discord.abc.Snowflake,
    attachments: Sequence[Attachment] = (),
) -> Answer | None:
    """The core's answer (None: stay silent) to ``text`` and its text files; the same question
    again (or too many) from one member is refused (silently for auto-replies)."""
    if refused := state.limiter.check(actor_of(author), text, attachments):
        if mode is Mode.AUTO:
            return None
        raise Limited(refused)
    return await state.engine.answer(Incoming(text, mode, place, actor_of(author), tuple(attachments)))


def reply_for(answer: Answer, *, hosts: frozenset[str], asker_id: int | None = None, ephemeral: bool = False) -> Reply:
    """Embeds and components for an answer; ``asker_id`` adds "Not this?" (auto-replies).
    Links go only to ``hosts`` (knowledge/hosts.txt)."""
    embeds, trimmed = answer_embeds(answer, hosts)
    view = answer_view(
        answer.query_id,
        others=runner_ups(answer),
        full_entry_id=trimmed.id if trimmed is not None else None,
        asker_id=asker_id,
    )
    return Reply(embeds=embeds, view=view, ephemeral=ephemeral)


def with_notes(text: str, notes: Sequence[str]) -> str:
    """``text`` followed by notes (files left out), one per line."""
    return "\n".join([text, *notes]) if notes else text
