"""``/kb ...`` and ``/supportbot channel``: declarations, the admin gate, and the deadlines.

``default_permissions`` hides the commands from members without Manage Server, but only in
Discord's UI and only until a server changes it, so :meth:`AdminGroup.interaction_check`
checks every invocation in the bot's own code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord.access import DENIED, is_admin
from adapters.discord.admin import KnowledgeAdmin
from adapters.discord.commands import id_choices
from adapters.discord.modals import NEW_ENTRY_FRONT, EntryModal, fits_in_form, split_entry_text
from adapters.discord.respond import Reply, error_reply, respond_in_time, send, within
from bot.knowledge.entryfile import render_entry
from bot.models import SupportBotError

Choices = list[app_commands.Choice[str]]


class AdminGroup(app_commands.Group):
    """A command group only admins may use (checked here, not only by Discord)."""

    def __init__(self, admin: KnowledgeAdmin, **kwargs: Any) -> None:
        super().__init__(default_permissions=discord.Permissions(manage_guild=True), guild_only=True, **kwargs)
        self.admin = admin

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if is_admin(interaction, self.admin.opts.admin_roles):
            return True
        await send(interaction, error_reply(DENIED))
        return False

    async def run(self, interaction: discord.Interaction[Any], work: Callable[[], Awaitable[Reply]]) -> None:
        """Run an admin action inside the deadline; its replies are private."""
        await respond_in_time(interaction, work, budget=self.admin.opts.ack_after_seconds, ephemeral=True)


class KbGroup(AdminGroup):
    """``/kb``: the knowledge base."""

    def __init__(self, admin: KnowledgeAdmin) -> None:
        super().__init__(admin, name="kb", description="Knowledge-base administration")

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        # The knowledge base is shared by every guild; kb_guilds limits whose admins may change it.
        allowed = self.admin.opts.kb_guilds
        if allowed and interaction.guild_id not in allowed:
            await send(interaction, error_reply("The knowledge base is managed from another server."))
            return False
        return await super().interaction_check(interaction)

    async def _ids(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return id_choices(self.admin.engine, current)

    async def _open_form(
        self, interaction: discord.Interaction[Any], title: str, front: str, body: str, edit_id: str | None
    ) -> None:
        async def on_done(submitted: discord.Interaction[Any], text: str, reason: str) -> None:
            # The form may be submitted long after it was opened: check the member again.
            if not await self.interaction_check(submitted):
                return
            await self.run(submitted, lambda: self.admin.save_text(submitted, text, reason, edit_id))

        await interaction.response.send_modal(EntryModal(title, front, body, on_done))

    @app_commands.command(name="add", description="Add an entry (a form, or an attached Markdown file)")
    @app_commands.describe(file="A knowledge file (entries/<id>.md format) instead of the form")
    async def add(self, interaction: discord.Interaction[Any], file: discord.Attachment | None = None) -> None:
        if file is not None:
            await self.run(interaction, lambda: self.admin.save_file(interaction, file, None))
            return
        await self._open_form(interaction, "New knowledge entry", NEW_ENTRY_FRONT, "", None)

    @app_commands.command(name="edit", description="Edit an entry (a prefilled form, or an attached Markdown file)")
    @app_commands.rename(entry_id="id")
    @app_commands.describe(entry_id="The entry's id", file="The whole entry file, for entries too long for the form")
    async def edit(
        self, interaction: discord.Interaction[Any], entry_id: str, file: discord.Attachment | None = None
    ) -> None:
        if file is not None:
            await self.run(interaction, lambda: self.admin.save_file(interaction, file, entry_id))
            return
        try:
            # A modal must be the first response, so the entry has to load within the budget.
            entry = await within(self.admin.engine.get_entry(entry_id), self.admin.opts.ack_after_seconds)
        except SupportBotError as exc:
            await send(interaction, error_reply(str(exc)))
            return
        if not entry.curated:
            await send(
                interaction, error_reply(f"`{entry_id}` comes from a catalog table; edit the table and import it.")
            )
            return
        if not fits_in_form(entry):
            reply = await self.admin.entry_file(
                entry,
                f"`{entry_id}` is too long for a Discord form. Edit the attached file and run `/kb edit` with `file`.",
            )
            await send(interaction, reply)
            return
        front, body = split_entry_text(render_entry(entry))
        await self._open_form(interaction, f"Edit {entry_id}", front, body, entry_id)

    @app_commands.command(name="delete", description="Delete an entry (revertible)")
    @app_commands.rename(entry_id="id")
    async def delete(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        await self.run(interaction, lambda: self.admin.delete(interaction, entry_id))

    @app_commands.command(name="show", description="Show an entry and its file")
    @app_commands.rename(entry_id="id")
    async def show(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        await self.run(interaction, lambda: self.admin.show(entry_id))

    @app_commands.command(name="history", description="An entry's revisions: who, when, why")
    @app_commands.rename(entry_id="id")
    async def history(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        await self.run(interaction, lambda: self.admin.history(entry_id))

    @app_commands.command(name="revert", description="Make an old revision current again")
    @app_commands.rename(entry_id="id", rev="revision")
    async def revert(
        self, interaction: discord.Interaction[Any], entry_id: str, rev: app_commands.Range[int, 1]
    ) -> None:
        await self.run(interaction, lambda: self.admin.revert(interaction, entry_id, rev))

    @app_commands.command(name="why", description="The ranking for a text and the reasons behind it")
    async def why(self, interaction: discord.Interaction[Any], text: app_commands.Range[str, 1, 4000]) -> None:
        await self.run(interaction, lambda: self.admin.why(text))

    @app_commands.command(name="gaps", description="Codes and questions nothing answered")
    async def gaps(self, interaction: discord.Interaction[Any]) -> None:
        await self.run(interaction, self.admin.gaps)

    @app_commands.command(name="stats", description="Entries, queries, feedback and gaps")
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        await self.run(interaction, self.admin.stats)

    @app_commands.command(name="export", description="Download the knowledge files as a zip")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        await self.run(interaction, lambda: self.admin.export(interaction))

    @app_commands.command(name="import", description="Import knowledge files (.md, .tsv or a zip): all or nothing")
    async def import_(self, interaction: discord.Interaction[Any], file: discord.Attachment) -> None:
        await self.run(interaction, lambda: self.admin.import_(interaction, file))

    @edit.autocomplete("entry_id")
    async def _edit_ids(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return await self._ids(interaction, current)

    @delete.autocomplete("entry_id")
    async def _delete_ids(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return await self._ids(interaction, current)

    @show.autocomplete("entry_id")
    async def _show_ids(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return await self._ids(interaction, current)

    @history.autocomplete("entry_id")
    async def _history_ids(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return await self._ids(interaction, current)

    @revert.autocomplete("entry_id")
    async def _revert_ids(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return await self._ids(interaction, current)


class SupportbotGroup(AdminGroup):
    """``/supportbot``: per-channel settings in this server."""

    def __init__(self, admin: KnowledgeAdmin) -> None:
        super().__init__(admin, name="supportbot", description="Support bot settings for this server")

    @app_commands.command(name="channel", description="Show or set auto-replies and the confidence threshold")
    @app_commands.describe(
        channel="The help channel or forum (default: this one)",
        auto_reply="Answer confident matches without being asked",
        threshold="Confidence (0 to 1) an auto-reply needs here, e.g. 0.85",
    )
    async def channel(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        auto_reply: bool | None = None,
        threshold: app_commands.Range[float, 0.0, 1.0] | None = None,
    ) -> None:
        target = channel.id if channel is not None else _channel_here(interaction)
        if target is None:
            await send(interaction, error_reply("Name a channel: this command was not used in one."))
            return
        await self.run(interaction, lambda: self.admin.channel(interaction, target, auto_reply, threshold))


def _channel_here(interaction: discord.Interaction[Any]) -> int | None:
    ch = interaction.channel
    if isinstance(ch, discord.Thread):
        return ch.parent_id
    return ch.id if ch is not None else None


def register_admin_commands(tree: app_commands.CommandTree[Any], admin: KnowledgeAdmin) -> None:
    tree.add_command(KbGroup(admin))
    tree.add_command(SupportbotGroup(admin))
