"""The community commands: ``/ask`` (with title autocomplete) and the "Find answer" menu."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.answers import Answers
from adapters.discord.render import OPTION_TEXT_MAX, clip
from bot.engine import Engine
from bot.models import Entry

MAX_CHOICES = 25


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


def title_choices(engine: Engine, current: str) -> list[app_commands.Choice[str]]:
    """Entry titles for ``/ask`` autocomplete: choosing one asks that title."""
    return [
        app_commands.Choice(name=clip(e.title, OPTION_TEXT_MAX), value=clip(e.title, OPTION_TEXT_MAX, ""))
        for e in _rank(engine.index.entries, current, "title")
    ]


def id_choices(engine: Engine, current: str) -> list[app_commands.Choice[str]]:
    """Entry ids (shown with their titles) for the admin commands' ``id`` option."""
    return [
        app_commands.Choice(name=clip(f"{e.id}: {e.title}", OPTION_TEXT_MAX), value=e.id)
        for e in _rank(engine.index.entries, current, "id")
        if len(e.id) <= OPTION_TEXT_MAX
    ]


def register_community_commands(tree: app_commands.CommandTree[Any], answers: Answers) -> None:
    """Add ``/ask`` and the "Find answer" message menu to ``tree``."""

    @tree.command(name="ask", description="Find the answer to a question or a pasted error")
    @app_commands.describe(
        question="Your question, or the error text",
        private="Only you see the answer (default: everyone in the channel)",
        log="A log or crash report (.txt, .log, .ips, .crash)",
    )
    async def ask(
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, 4000],
        private: bool = False,
        log: discord.Attachment | None = None,
    ) -> None:
        await answers.ask(interaction, question, private, log)

    @ask.autocomplete("question")
    async def ask_autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return title_choices(answers.engine, current)

    @tree.context_menu(name="Find answer")
    async def find_answer(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        await answers.find_answer(interaction, message)
