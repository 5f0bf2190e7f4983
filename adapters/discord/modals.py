"""The entry form behind ``/kb add`` and ``/kb edit``: front matter and body, as in the files.

A Discord text field holds at most 4000 characters; longer entries go through an attached
Markdown file instead (``/kb add file:`` / ``/kb edit id: file:``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import ui

from bot.knowledge.entryfile import FENCE, render_entry
from bot.models import Entry

FIELD_MAX = 4000
TITLE_MAX = 45
MODAL_TIMEOUT = 15 * 60.0


def split_entry_text(text: str) -> tuple[str, str]:
    """A knowledge file's text as (front matter without the fences, body)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == FENCE:
        for i in range(1, len(lines)):
            if lines[i].strip() == FENCE:
                return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]).strip()
    return "", text.strip()


def join_entry_text(front: str, body: str) -> str:
    return f"{FENCE}\n{front.strip()}\n{FENCE}\n{body.strip()}\n"


def fits_in_form(entry: Entry) -> bool:
    front, body = split_entry_text(render_entry(entry))
    return len(front) <= FIELD_MAX and len(body) <= FIELD_MAX


Submit = Callable[[discord.Interaction[Any], str, str], Awaitable[None]]


class EntryModal(ui.Modal):
    """Two big fields (front matter, body) and a reason; ``on_done`` gets the file text and reason."""

    def __init__(self, title: str, front: str, body: str, on_done: Submit) -> None:
        super().__init__(title=title[:TITLE_MAX], timeout=MODAL_TIMEOUT)
        self.on_done = on_done
        self.front: ui.TextInput[ui.Modal] = ui.TextInput(
            style=discord.TextStyle.paragraph, default=front[:FIELD_MAX], max_length=FIELD_MAX, required=True
        )
        self.body: ui.TextInput[ui.Modal] = ui.TextInput(
            style=discord.TextStyle.paragraph, default=body[:FIELD_MAX], max_length=FIELD_MAX, required=False
        )
        self.reason: ui.TextInput[ui.Modal] = ui.TextInput(
            style=discord.TextStyle.short, max_length=200, required=False, placeholder="What changed and why"
        )
        self.add_item(
            ui.Label(text="Front matter (TOML)", description="As in knowledge/entries/*.md", component=self.front)
        )
        self.add_item(ui.Label(text="Body (Markdown)", component=self.body))
        self.add_item(ui.Label(text="Reason for the change", component=self.reason))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.on_done(interaction, join_entry_text(self.front.value, self.body.value), self.reason.value)
