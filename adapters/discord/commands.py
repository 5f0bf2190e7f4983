"""``/ask`` (with title autocomplete), and the entry choices the admin commands offer."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import place_of
from adapters.discord.answering import ask, reply_for, with_notes
from adapters.discord.markup import echo, plain
from adapters.discord.render import CONTENT_MAX, OPTION_TEXT_MAX, clip
from adapters.discord.respond import Reply, error_reply
from adapters.discord.state import BotState
from bot.chat import NOTHING_MATCHED, TEXT_SUFFIXES
from bot.engine import Engine
from bot.models import Entry, Mode

MAX_CHOICES = 25
Choices = list[app_commands.Choice[str]]


def _rank(entries: tuple[Entry, ...], current: str, key: str) -> list[Entry]:
    """Curated entries whose ``key`` (title or id) or aliases contain what was typed:
    prefix matches first, then the rest, each group in the index's order."""
    typed = " ".join(current.casefold().split())
    curated = [e for e in entries if e.curated]
    if not typed:
        return curated[:MAX_CHOICES]
    starts, contains, aliased = [], [], []
    for e in curated:
        text = str(getattr(e, key)).casefold()
        if text.startswith(typed):
            starts.append(e)
        elif typed in text:
            contains.append(e)
        elif any(typed in a.casefold() for a in e.aliases):
            aliased.append(e)
        if len(starts) >= MAX_CHOICES:
            break
    return (starts + contains + aliased)[:MAX_CHOICES]


def title_choices(engine: Engine, current: str) -> Choices:
    """Entry titles for ``/ask`` autocomplete: choosing one asks that title."""
    return [
        app_commands.Choice(name=clip(e.title, OPTION_TEXT_MAX), value=clip(e.title, OPTION_TEXT_MAX, ""))
        for e in _rank(engine.index.entries, current, "title")
    ]


def id_choices(engine: Engine, current: str) -> Choices:
    """Entry ids (shown with their titles) for the admin commands' ``id`` option."""
    return [
        app_commands.Choice(name=clip(f"{e.id}: {e.title}", OPTION_TEXT_MAX), value=e.id)
        for e in _rank(engine.index.entries, current, "id")
        if len(e.id) <= OPTION_TEXT_MAX
    ]


def register(tree: app_commands.CommandTree[Any], state: BotState) -> None:
    """Add ``/ask`` to ``tree``."""

    @tree.command(name="ask", description="Find the answer to a question or a pasted error")
    @app_commands.describe(
        question="Your question, or the error text",
        private="Only you see the answer (default: everyone in the channel)",
        log=f"A log or crash report ({', '.join(TEXT_SUFFIXES)})",
    )
    async def ask_command(
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, 4000],
        private: bool = False,
        log: discord.Attachment | None = None,
    ) -> None:
        await state.respond(interaction, answer_ask(state, interaction, question, private, log), private=private)

    @ask_command.autocomplete("question")
    async def ask_autocomplete(interaction: discord.Interaction[Any], current: str) -> Choices:
        return title_choices(state.engine, current)


async def answer_ask(
    state: BotState,
    interaction: discord.Interaction[Any],
    question: str,
    private: bool,
    log_file: discord.Attachment | None,
) -> Reply:
    """``/ask``: the best answer, or suggestions, or an honest "nothing matched"."""
    attachments, notes = await state.attachments([log_file] if log_file is not None else [])
    place = place_of(interaction.channel, interaction.guild_id)
    answer = await ask(state, question, Mode.SLASH, place, interaction.user, attachments)
    if answer is None:  # the core answers every explicit ask; be safe anyway
        return error_reply(NOTHING_MATCHED)
    reply = reply_for(answer, hosts=state.link_hosts, ephemeral=private)
    # Echo the question (the embed alone does not say what was asked) as inline code: a masked
    # link, markup or mention in it stays text.
    reply.content = clip(with_notes(echo(question), [plain(n, state.link_hosts) for n in notes]), CONTENT_MAX)
    return reply
