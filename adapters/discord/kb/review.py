"""``/kb review``: what the bot missed, most hit first, with a button row per item: create an
entry (the entry form prefilled with the draft), teach an entry (a select of the likely
entries), dismiss (a form asking why).

The buttons are :class:`discord.ui.DynamicItem` s like the answer components, so they work
after a restart; every click and form checks the member again, and an item outside the
member's scope (:func:`adapters.discord.kb.group.review_scope`) is "not found".
"""

from __future__ import annotations

import re
from typing import Any, cast

import discord
from discord import app_commands, ui

from adapters.discord.access import actor_of
from adapters.discord.kb.entries import file_name, open_entry_form, problems_reply
from adapters.discord.kb.group import KbGroup, kb_admin, review_scope
from adapters.discord.modals import split_entry_text
from adapters.discord.render import DESCRIPTION_MAX, FIELD_MAX, OPTION_TEXT_MAX, TITLE_MAX, clip
from adapters.discord.respond import Reply, error_reply, send, within
from adapters.discord.state import BotState
from bot.knowledge.entryfile import parse_entry_text, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.models import ReviewItem, SupportBotError
from bot.review import ReviewQueue, Teach

SHOWN = 5  # items per /kb review: one row of buttons each, the most a message holds


def register(kb: KbGroup) -> None:
    """Add ``review`` to ``/kb``."""
    state = kb.state

    @kb.command(name="review", description="What the bot missed, most asked first: create, teach or dismiss")
    @app_commands.rename(teach_to="teach", what="as")
    @app_commands.describe(
        item="A review item's number: teach it to an entry (with `teach`)",
        teach_to="The entry to teach the item to",
        what="What to teach it (default: the error key when the item names one, else the question)",
    )
    @app_commands.autocomplete(teach_to=kb.entry_ids())
    async def review(
        interaction: discord.Interaction[Any],
        item: app_commands.Range[int, 1] | None = None,
        teach_to: str | None = None,
        what: Teach | None = None,
    ) -> None:
        if item is None and teach_to is None:
            await state.respond(interaction, show_queue(state, interaction), private=True)
        elif item is None or teach_to is None:
            await send(interaction, error_reply("Give both `item` and `teach`, or neither to see the queue."))
        elif await kb.may_change(interaction):
            # Teaching changes the shared knowledge base: only from the servers in kb_guilds.
            await state.respond(interaction, teach(state, interaction, item, teach_to, what), private=True)


def queue_of(state: BotState) -> ReviewQueue:
    return ReviewQueue(state.engine, state.curator)


def item_embed(item: ReviewItem) -> discord.Embed:
    """One item: its title, how often and where it was missed, and a few of the questions."""
    kinds = ", ".join(item.kinds)
    answered = f" · answered with `{item.top_entry}`" if item.top_entry else ""
    lines = [f"**{item.count}×** {kinds}{answered} · last {item.last_seen[:10]}"]
    lines += [f"> {clip(' '.join(e.text.split()), 200)}" for e in item.examples if e.text][:3]
    return discord.Embed(
        title=clip(f"#{item.id} {item.title}", TITLE_MAX), description=clip("\n".join(lines), FIELD_MAX)
    )


async def show_queue(state: BotState, interaction: discord.Interaction[Any]) -> Reply:
    """The top items as embeds, each with its row of buttons."""
    items = await queue_of(state).items(review_scope(state, interaction.guild_id), SHOWN)
    if not items:
        return Reply(content="The review queue is empty: nothing was missed lately.", ephemeral=True)
    view = ui.View(timeout=None)
    for row, item in enumerate(items):
        for action in ("create", "teach", "dismiss"):
            view.add_item(ReviewButton(action, item.id, row))
    return Reply(content="Most asked first.", embeds=[item_embed(i) for i in items], view=view, ephemeral=True)


_LABELS = {
    "create": ("Create entry", discord.ButtonStyle.success),
    "teach": ("Teach entry", discord.ButtonStyle.primary),
}


class ReviewButton(
    ui.DynamicItem[ui.Button[ui.View]], template=r"sb:rv:(?P<action>create|teach|dismiss):(?P<item>\d+)"
):
    """Create / Teach / Dismiss for one review item."""

    def __init__(self, action: str, item_id: int, row: int | None = None) -> None:
        label, style = _LABELS.get(action, ("Dismiss", discord.ButtonStyle.secondary))
        super().__init__(
            ui.Button(label=f"{label} #{item_id}", style=style, custom_id=f"sb:rv:{action}:{item_id}", row=row)
        )
        self.action = action
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(match["action"], int(match["item"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        state = state_of(interaction)
        if not await kb_admin(state, interaction):
            return
        if self.action == "create":
            await open_create_form(state, interaction, self.item_id)
        elif self.action == "teach":
            await state.respond(interaction, teach_choices(state, interaction, self.item_id), private=True)
        else:
            await interaction.response.send_modal(DismissModal(state, self.item_id))


class TeachSelect(ui.DynamicItem[ui.Select[ui.View]], template=r"sb:rvt:(?P<item>\d+)"):
    """The entries to teach an item to: the engine's suggestions for it, best first."""

    def __init__(self, item_id: int, options: list[discord.SelectOption] | None = None) -> None:
        select: ui.Select[ui.View] = ui.Select(
            placeholder="Teach this to…", custom_id=f"sb:rvt:{item_id}", options=options or []
        )
        super().__init__(select)
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> TeachSelect:
        return cls(int(match["item"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        state = state_of(interaction)
        values = cast(dict[str, Any], interaction.data or {}).get("values") or []
        if values and await kb_admin(state, interaction):
            await state.respond(interaction, teach(state, interaction, self.item_id, str(values[0])), private=True)


REVIEW_ITEMS: tuple[type[ui.DynamicItem[Any]], ...] = (ReviewButton, TeachSelect)


def state_of(interaction: discord.Interaction[Any]) -> BotState:
    """The bot's state, found on the client that received the click (nothing global)."""
    state = getattr(interaction.client, "review_state", None)
    if state is None:
        raise RuntimeError("this client has no review state")
    return cast(BotState, state)


async def _visible(state: BotState, interaction: discord.Interaction[Any], item_id: int) -> ReviewItem:
    return await queue_of(state).item(item_id, review_scope(state, interaction.guild_id))


async def open_create_form(state: BotState, interaction: discord.Interaction[Any], item_id: int) -> None:
    """The entry form prefilled with the item's draft; saving it creates the entry."""
    try:
        # A form must be the first response, so the draft has to be ready within the budget.
        await within(_visible(state, interaction, item_id), state.settings.ack_after_seconds)
        draft = await within(queue_of(state).draft_entry(item_id), state.settings.ack_after_seconds)
    except SupportBotError as exc:
        await send(interaction, error_reply(str(exc)))
        return
    front, body = split_entry_text(render_entry(draft))

    async def save(submitted: discord.Interaction[Any], text: str, reason: str) -> Reply:
        try:
            entry = parse_entry_text(text, "submitted entry")
            rev = await queue_of(state).create(item_id, entry, actor_of(submitted.user))
        except KnowledgeError as exc:
            return problems_reply(exc, text, file_name(draft.id))
        return Reply(content=f"Added `{entry.id}` (revision {rev.rev}) for review item #{item_id}.", ephemeral=True)

    await open_entry_form(state, interaction, f"New entry from review #{item_id}", front, body, save)


async def teach_choices(state: BotState, interaction: discord.Interaction[Any], item_id: int) -> Reply:
    """A select of the entries the item most likely belongs to."""
    item = await _visible(state, interaction, item_id)
    ids = ([item.top_entry] if item.top_entry else []) + [
        m.entry.id for m in await queue_of(state).suggestions(item_id)
    ]
    options = []
    for entry_id in dict.fromkeys(ids):
        if len(entry_id) <= OPTION_TEXT_MAX:
            entry = await state.engine.get_entry(entry_id)
            options.append(discord.SelectOption(label=clip(entry.title, OPTION_TEXT_MAX), value=entry.id))
    if not options:
        return error_reply(
            f"No entry looks close to #{item_id}: pick one with `/kb review item:{item_id} teach:`, or create an entry."
        )
    what = "its error key" if item.codes else "its question as an alias"
    view = ui.View(timeout=None)
    view.add_item(TeachSelect(item_id, options[:25]))
    return Reply(content=clip(f"Teach #{item_id} ({what}) to:", DESCRIPTION_MAX), view=view, ephemeral=True)


async def teach(
    state: BotState, interaction: discord.Interaction[Any], item_id: int, entry_id: str, what: Teach | None = None
) -> Reply:
    """Teach the entry ``what``; by default the item's error key (when it names one), else its question."""
    item = await _visible(state, interaction, item_id)
    what = what or ("error" if item.codes else "alias")
    try:
        rev = await queue_of(state).teach(item_id, entry_id, actor_of(interaction.user), what)
    except KnowledgeError as exc:
        return problems_reply(exc)
    return Reply(
        content=clip(f"`{entry_id}` is now revision {rev.rev}: {rev.reason}.", DESCRIPTION_MAX), ephemeral=True
    )


class DismissModal(ui.Modal):
    """Why the item is dismissed (off-topic, noise): recorded with the member."""

    def __init__(self, state: BotState, item_id: int) -> None:
        super().__init__(title=f"Dismiss review item #{item_id}"[:45], timeout=15 * 60.0)
        self.state = state
        self.item_id = item_id
        self.reason: ui.TextInput[ui.Modal] = ui.TextInput(
            style=discord.TextStyle.short, max_length=200, required=True, placeholder="off-topic, noise, duplicate…"
        )
        self.add_item(ui.Label(text="Reason", component=self.reason))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        if await kb_admin(self.state, interaction):
            await self.state.respond(interaction, self._dismiss(interaction), private=True)

    async def _dismiss(self, interaction: discord.Interaction[Any]) -> Reply:
        await _visible(self.state, interaction, self.item_id)
        await queue_of(self.state).dismiss(self.item_id, actor_of(interaction.user), self.reason.value)
        return Reply(content=f"Dismissed review item #{self.item_id}.", ephemeral=True)
