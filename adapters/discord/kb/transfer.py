"""``/kb export`` and ``/kb import``: the knowledge files out as a zip, and in (all or nothing)."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.access import actor_of
from adapters.discord.files import bytes_file, fetch
from adapters.discord.kb.entries import problems_reply
from adapters.discord.kb.group import KbGroup
from adapters.discord.respond import Reply, error_reply
from adapters.discord.state import BotState
from bot.knowledge.archive import export_archive, uploaded_files
from bot.knowledge.errors import KnowledgeError

EXPORT_NAME = "knowledge.zip"


def register(kb: KbGroup) -> None:
    """Add the export and import commands to ``/kb``."""
    state = kb.state

    @kb.command(name="export", description="Download the knowledge files as a zip")
    async def export(interaction: discord.Interaction[Any]) -> None:
        await state.respond(interaction, export_files(state, interaction), private=True)

    @kb.command(name="import", description="Import knowledge files (.md, .tsv or a zip): all or nothing")
    async def import_(interaction: discord.Interaction[Any], file: discord.Attachment) -> None:
        await state.respond(interaction, import_upload(state, interaction, file), private=True)


async def export_files(state: BotState, interaction: discord.Interaction[Any]) -> Reply:
    """Every knowledge file in one zip, as long as it fits this server's upload limit."""
    files = await state.engine.export_files()
    data = export_archive(files)
    if len(data) > interaction.filesize_limit:
        return error_reply(
            f"The export is {len(data):,} bytes, over this server's upload limit; use `supportbot kb export`."
        )
    return Reply(
        content=f"{len(files)} knowledge files (entries and catalog tables).",
        files=[bytes_file(EXPORT_NAME, data)],
        ephemeral=True,
    )


async def import_upload(state: BotState, interaction: discord.Interaction[Any], file: discord.Attachment) -> Reply:
    """Import an uploaded entry, catalog table or zip of them; nothing changes when one is wrong."""
    data = await fetch(file, state.settings.max_import_bytes, state.hosts)
    try:
        report = await state.curator.import_files(uploaded_files(file.filename, data), actor_of(interaction.user))
    except KnowledgeError as exc:
        return problems_reply(exc)
    return Reply(content=f"Imported {report.read} entries; {report.changed} new or changed.", ephemeral=True)
