"""Components on answers: feedback buttons, "Other matches", "Show full answer", "Not this?".

Each is a :class:`discord.ui.DynamicItem`: its state lives in its custom id, so a click on a
message posted before a restart still reaches the handler. The handler is looked up on the
client that received the click (``client.component_handler``), so nothing here is global.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, cast

import discord
from discord import ui

from adapters.discord.render import OPTION_TEXT_MAX, clip
from bot.models import Match

CUSTOM_ID_MAX = 100


class ComponentHandler(Protocol):
    """What the components call; implemented by the adapter's answer service."""

    async def on_feedback(self, interaction: discord.Interaction[Any], query_id: int, helpful: bool) -> None: ...
    async def on_not_this(self, interaction: discord.Interaction[Any], asker_id: int, query_id: int) -> None: ...
    async def on_full(self, interaction: discord.Interaction[Any], entry_id: str) -> None: ...
    async def on_other(self, interaction: discord.Interaction[Any], entry_id: str) -> None: ...


def handler_of(interaction: discord.Interaction[Any]) -> ComponentHandler:
    handler = getattr(interaction.client, "component_handler", None)
    if handler is None:
        raise RuntimeError("this client has no component handler")
    return cast(ComponentHandler, handler)


class FeedbackButton(ui.DynamicItem[ui.Button[ui.View]], template=r"sb:fb:(?P<query>\d+):(?P<vote>[yn])"):
    """Helpful / Not helpful, stored with the query id."""

    def __init__(self, query_id: int, helpful: bool) -> None:
        super().__init__(
            ui.Button(
                label="Helpful" if helpful else "Not helpful",
                style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
                custom_id=f"sb:fb:{query_id}:{'y' if helpful else 'n'}",
            )
        )
        self.query_id = query_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> FeedbackButton:
        return cls(int(match["query"]), match["vote"] == "y")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).on_feedback(interaction, self.query_id, self.helpful)


class NotThisButton(ui.DynamicItem[ui.Button[ui.View]], template=r"sb:nt:(?P<asker>\d+):(?P<query>\d+)"):
    """On auto-replies: lets the asker dismiss an answer that missed."""

    def __init__(self, asker_id: int, query_id: int) -> None:
        super().__init__(
            ui.Button(label="Not this?", style=discord.ButtonStyle.danger, custom_id=f"sb:nt:{asker_id}:{query_id}")
        )
        self.asker_id = asker_id
        self.query_id = query_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> NotThisButton:
        return cls(int(match["asker"]), int(match["query"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).on_not_this(interaction, self.asker_id, self.query_id)


class FullAnswerButton(ui.DynamicItem[ui.Button[ui.View]], template=r"sb:full:(?P<entry>.+)"):
    """Sends the whole entry privately when its body was trimmed to fit the embed."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(
            ui.Button(label="Show full answer", style=discord.ButtonStyle.primary, custom_id=f"sb:full:{entry_id}")
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> FullAnswerButton:
        return cls(match["entry"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).on_full(interaction, self.entry_id)


class OtherMatchesSelect(ui.DynamicItem[ui.Select[ui.View]], template=r"sb:more:(?P<query>\d+)"):
    """ "Other matches": picking one shows that entry privately."""

    def __init__(self, query_id: int, matches: Sequence[Match] = ()) -> None:
        options = [
            discord.SelectOption(
                label=clip(m.entry.title, OPTION_TEXT_MAX),
                value=m.entry.id,
                description=clip(f"{m.confidence:.0%} · {m.entry.summary}", OPTION_TEXT_MAX),
            )
            for m in matches
            if len(m.entry.id) <= OPTION_TEXT_MAX
        ][:25]
        select: ui.Select[ui.View] = ui.Select(
            placeholder="Other matches", custom_id=f"sb:more:{query_id}", options=options, row=1
        )
        super().__init__(select)
        self.query_id = query_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> OtherMatchesSelect:
        return cls(int(match["query"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        data = cast(dict[str, Any], interaction.data or {})
        values = data.get("values") or []
        if values:
            await handler_of(interaction).on_other(interaction, str(values[0]))


DYNAMIC_ITEMS: tuple[type[ui.DynamicItem[Any]], ...] = (
    FeedbackButton,
    NotThisButton,
    FullAnswerButton,
    OtherMatchesSelect,
)


def answer_view(
    query_id: int | None,
    *,
    others: Sequence[Match] = (),
    full_entry_id: str | None = None,
    asker_id: int | None = None,
) -> ui.View | None:
    """The components under an answer (None when there are none)."""
    view = ui.View(timeout=None)
    if query_id is not None:
        view.add_item(FeedbackButton(query_id, True))
        view.add_item(FeedbackButton(query_id, False))
    if full_entry_id is not None and len("sb:full:" + full_entry_id) <= CUSTOM_ID_MAX:
        view.add_item(FullAnswerButton(full_entry_id))
    if asker_id is not None and query_id is not None:
        view.add_item(NotThisButton(asker_id, query_id))
    selectable = [m for m in others if len(m.entry.id) <= OPTION_TEXT_MAX]
    if selectable and query_id is not None:
        view.add_item(OtherMatchesSelect(query_id, selectable))
    return view if view.children else None
