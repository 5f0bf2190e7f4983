"""``/kb add``, ``/kb edit``, ``/kb show`` and ``/kb delete``: one entry at a time, through the
entry form or an attached Markdown file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import actor_of
from adapters.discord.files import fetch, text_file
from adapters.discord.kb.group import KbGroup, kb_admin
from adapters.discord.modals import EntryModal, fits_in_form, split_entry_text
from adapters.discord.render import CONTENT_MAX, DESCRIPTION_MAX, clip, code_block, entry_embed
from adapters.discord.respond import Reply, error_reply, send, within
from adapters.discord.state import BotState
from bot.knowledge.entryfile import NEW_ENTRY_FRONT, parse_entry_text, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.models import SupportBotError


def register(kb: KbGroup) -> None:
    """Add the entry commands to ``/kb``."""
    state, ids = kb.state, kb.entry_ids()

    @kb.command(name="add", description="Add an entry (a form, or an attached Markdown file)")
    @app_commands.describe(file="A knowledge file (entries/<id>.md format) instead of the form")
    async def add(interaction: discord.Interaction[Any], file: discord.Attachment | None = None) -> None:
        if file is not None:
            await state.respond(interaction, save_file(state, interaction, file, None), private=True)
            return
        await open_form(kb, interaction, "New knowledge entry", NEW_ENTRY_FRONT, "", None)

    @kb.command(name="edit", description="Edit an entry (a prefilled form, or an attached Markdown file)")
    @app_commands.rename(entry_id="id")
    @app_commands.describe(entry_id="The entry's id", file="The whole entry file, for entries too long for the form")
    @app_commands.autocomplete(entry_id=ids)
    async def edit(
        interaction: discord.Interaction[Any], entry_id: str, file: discord.Attachment | None = None
    ) -> None:
        if file is not None:
            await state.respond(interaction, save_file(state, interaction, file, entry_id), private=True)
            return
        await edit_in_form(kb, interaction, entry_id)

    @kb.command(name="show", description="Show an entry and its file")
    @app_commands.rename(entry_id="id")
    @app_commands.autocomplete(entry_id=ids)
    async def show(interaction: discord.Interaction[Any], entry_id: str) -> None:
        await state.respond(interaction, show_entry(state, entry_id), private=True)

    @kb.command(name="delete", description="Delete an entry (revertible)")
    @app_commands.rename(entry_id="id")
    @app_commands.autocomplete(entry_id=ids)
    async def delete(interaction: discord.Interaction[Any], entry_id: str) -> None:
        await state.respond(interaction, delete_entry(state, interaction, entry_id), private=True)


def file_name(entry_id: str) -> str:
    """The entry's file name as in ``knowledge/entries/``."""
    return entry_id.replace(":", "_") + ".md"


def problems_reply(exc: KnowledgeError, text: str | None = None, name: str = "entry.md") -> Reply:
    """Lint problems, and the submitted text back as a file so nothing typed is lost."""
    reply = Reply(
        content=clip("Nothing was changed. " + str(exc).split("\n", 1)[0], 200),
        embeds=[discord.Embed(title="Problems", description=code_block(exc.problems), colour=discord.Colour.red())],
        ephemeral=True,
    )
    if text is not None:
        reply.files = [text_file(name, text)]
        reply.content += "\nYour text is attached: fix it and upload it with the `file` option."
    return reply


async def open_form(
    kb: KbGroup, interaction: discord.Interaction[Any], title: str, front: str, body: str, edit_id: str | None
) -> None:
    """Open the entry form; its submission is saved (after checking the member again)."""

    async def save(submitted: discord.Interaction[Any], text: str, reason: str) -> Reply:
        return await save_text(kb.state, submitted, text, reason, edit_id)

    await open_entry_form(kb.state, interaction, title, front, body, save)


SaveForm = Callable[[discord.Interaction[Any], str, str], Awaitable[Reply]]


async def open_entry_form(
    state: BotState, interaction: discord.Interaction[Any], title: str, front: str, body: str, save: SaveForm
) -> None:
    """Open the entry form; on submission ``save(interaction, text, reason)`` runs, after the
    member is checked again (a form may be submitted long after it was opened)."""

    async def on_done(submitted: discord.Interaction[Any], text: str, reason: str) -> None:
        if await kb_admin(state, submitted):
            await state.respond(submitted, save(submitted, text, reason), private=True)

    await interaction.response.send_modal(EntryModal(title, front, body, on_done))


async def edit_in_form(kb: KbGroup, interaction: discord.Interaction[Any], entry_id: str) -> None:
    """Open the form prefilled with the entry, or explain why it cannot be edited there."""
    try:
        # A modal must be the first response, so the entry has to load within the budget.
        entry = await within(kb.state.engine.get_entry(entry_id), kb.state.settings.ack_after_seconds)
    except SupportBotError as exc:
        await send(interaction, error_reply(str(exc)))
        return
    if not entry.curated:
        await send(interaction, error_reply(f"`{entry_id}` comes from a catalog table; edit the table and import it."))
        return
    if not fits_in_form(entry):
        why = f"`{entry_id}` is too long for a Discord form. Edit the attached file and run `/kb edit` with `file`."
        await send(
            interaction, Reply(content=why, files=[text_file(file_name(entry.id), render_entry(entry))], ephemeral=True)
        )
        return
    front, body = split_entry_text(render_entry(entry))
    await open_form(kb, interaction, f"Edit {entry_id}", front, body, entry_id)


async def save_text(
    state: BotState, interaction: discord.Interaction[Any], text: str, reason: str, edit_id: str | None
) -> Reply:
    """Parse a knowledge file's text and add it (``edit_id`` None) or replace entry ``edit_id``."""
    where = file_name(edit_id) if edit_id else "submitted entry"
    try:
        entry = parse_entry_text(text, where, expected_id=edit_id)
        rev = await state.curator.save_entry(entry, actor_of(interaction.user), reason, create=edit_id is None)
    except KnowledgeError as exc:
        return problems_reply(exc, text, file_name(edit_id or "new-entry"))
    verb = "Added" if edit_id is None else "Saved"
    return Reply(content=f"{verb} `{entry.id}` (revision {rev.rev}).", ephemeral=True)


async def save_file(
    state: BotState, interaction: discord.Interaction[Any], file: discord.Attachment, edit_id: str | None
) -> Reply:
    """Like :func:`save_text`, with the text from an attached file."""
    data = await fetch(file, state.settings.max_import_bytes, state.hosts)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return error_reply(f"{file.filename} is not UTF-8 text.")
    return await save_text(state, interaction, text, f"from {file.filename}", edit_id)


async def show_entry(state: BotState, entry_id: str) -> Reply:
    """The entry as an embed, with its file when it is a curated entry."""
    entry = await state.engine.get_entry(entry_id)
    embed, _ = entry_embed(entry, hosts=state.link_hosts, preview=DESCRIPTION_MAX - len(entry.summary) - 200)
    files = [text_file(file_name(entry.id), render_entry(entry))] if entry.curated else []
    return Reply(embeds=[embed], files=files, ephemeral=True)


async def delete_entry(state: BotState, interaction: discord.Interaction[Any], entry_id: str) -> Reply:
    """Delete the entry (a new revision, so it can be reverted)."""
    rev = await state.curator.delete_entry(entry_id, actor_of(interaction.user))
    undo = f"`/kb revert {entry_id} {rev.rev - 1}` restores it."
    return Reply(content=clip(f"Deleted `{entry_id}` (revision {rev.rev}). {undo}", CONTENT_MAX), ephemeral=True)
