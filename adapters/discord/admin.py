"""What the admin commands do, as replies; the command declarations are in admin_commands.py.

Every change passes the member as the actor (``discord:<id>``), so the store records who made it.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.access import PLATFORM, actor_of
from adapters.discord.attachments import bytes_file, export_archive, fetch, import_files, text_file
from adapters.discord.options import Options
from adapters.discord.render import CONTENT_MAX, DESCRIPTION_MAX, clip, code_block, entry_embed
from adapters.discord.respond import Reply, error_reply
from bot.engine import Engine
from bot.knowledge.entryfile import parse_entry_text, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.models import ChannelSettings, Entry

EXPORT_NAME = "knowledge.zip"


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


def file_name(entry_id: str) -> str:
    return entry_id.replace(":", "_") + ".md"


class KnowledgeAdmin:
    """The knowledge-base and channel operations behind ``/kb`` and ``/supportbot``."""

    def __init__(self, engine: Engine, opts: Options) -> None:
        self.engine = engine
        self.opts = opts

    async def save_text(
        self, interaction: discord.Interaction[Any], text: str, reason: str, edit_id: str | None
    ) -> Reply:
        """Parse a knowledge file's text and add it (``edit_id`` None) or replace entry ``edit_id``."""
        where = file_name(edit_id) if edit_id else "submitted entry"
        try:
            entry = parse_entry_text(text, where, expected_id=edit_id)
            rev = await self.engine.save_entry(entry, actor_of(interaction.user), reason, create=edit_id is None)
        except KnowledgeError as exc:
            return problems_reply(exc, text, file_name(edit_id or "new-entry"))
        verb = "Added" if edit_id is None else "Saved"
        return Reply(content=f"{verb} `{entry.id}` (revision {rev.rev}).", ephemeral=True)

    async def save_file(
        self, interaction: discord.Interaction[Any], file: discord.Attachment, edit_id: str | None
    ) -> Reply:
        data = await fetch(file, self.opts.max_import_bytes, self.opts.attachment_hosts)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return error_reply(f"{file.filename} is not UTF-8 text.")
        return await self.save_text(interaction, text, f"from {file.filename}", edit_id)

    async def show(self, entry_id: str) -> Reply:
        entry = await self.engine.get_entry(entry_id)
        embed, _ = entry_embed(entry, preview=DESCRIPTION_MAX - len(entry.summary) - 200)
        files = [text_file(file_name(entry.id), render_entry(entry))] if entry.curated else []
        return Reply(embeds=[embed], files=files, ephemeral=True)

    async def entry_file(self, entry: Entry, why: str) -> Reply:
        return Reply(content=why, files=[text_file(file_name(entry.id), render_entry(entry))], ephemeral=True)

    async def delete(self, interaction: discord.Interaction[Any], entry_id: str) -> Reply:
        rev = await self.engine.delete_entry(entry_id, actor_of(interaction.user))
        return Reply(
            content=f"Deleted `{entry_id}` (revision {rev.rev}). `/kb revert {entry_id} {rev.rev - 1}` restores it.",
            ephemeral=True,
        )

    async def history(self, entry_id: str) -> Reply:
        revisions = await self.engine.history(entry_id)
        lines = [f"{r.rev:>4}  {r.at[:19]}  {r.op:<7} {r.actor}  {r.reason}" for r in reversed(revisions)]
        embed = discord.Embed(title=f"History of {clip(entry_id, 200)}", description=code_block(lines))
        return Reply(embeds=[embed], ephemeral=True)

    async def revert(self, interaction: discord.Interaction[Any], entry_id: str, rev: int) -> Reply:
        new = await self.engine.revert(entry_id, rev, actor_of(interaction.user))
        return Reply(
            content=f"`{entry_id}` now has the content of revision {rev} (as revision {new.rev}).", ephemeral=True
        )

    async def why(self, text: str) -> Reply:
        matches = await self.engine.why(text)
        lines: list[str] = []
        for m in matches:
            lines.append(f"{m.confidence:.2f}  {m.entry.id}")
            lines += [f"      - {w}" for w in m.why]
        embed = discord.Embed(title="Ranking and reasons", description=code_block(lines or ["nothing matched"]))
        return Reply(embeds=[embed], ephemeral=True)

    async def gaps(self) -> Reply:
        gaps = await self.engine.gaps()
        lines = [
            f"{g.count:>4}x  {(g.domain or '?') + ' ' + str(g.code) if g.code is not None else '(no code)'}  "
            f"{g.last_seen[:10]}  {clip(' '.join(g.text.split()), 60)}"
            for g in gaps
        ]
        embed = discord.Embed(title="Questions nothing answered", description=code_block(lines or ["no gaps"]))
        return Reply(embeds=[embed], ephemeral=True)

    async def stats(self) -> Reply:
        s = await self.engine.stats()
        embed = discord.Embed(title="Knowledge base")
        embed.add_field(name="Entries", value=f"{s.entries} ({s.curated} curated, {s.reference} catalog)")
        embed.add_field(name="Queries", value=f"{s.queries} ({s.answered} answered)")
        embed.add_field(name="Feedback", value=f"{s.feedback_helpful} helpful, {s.feedback_unhelpful} not")
        embed.add_field(name="Gaps", value=str(s.gaps))
        if s.top_entries:
            top = "\n".join(f"{n}x {clip(i, 80)}" for i, n in s.top_entries[:10])
            embed.add_field(name="Most answered", value=clip(top, 1024), inline=False)
        return Reply(embeds=[embed], ephemeral=True)

    async def export(self, interaction: discord.Interaction[Any]) -> Reply:
        files = await self.engine.export_files()
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

    async def import_(self, interaction: discord.Interaction[Any], file: discord.Attachment) -> Reply:
        data = await fetch(file, self.opts.max_import_bytes, self.opts.attachment_hosts)
        files = import_files(file.filename, data)
        try:
            report = await self.engine.import_files(files, actor_of(interaction.user))
        except KnowledgeError as exc:
            return problems_reply(exc)
        return Reply(content=f"Imported {report.read} entries; {report.changed} new or changed.", ephemeral=True)

    async def channel(
        self,
        interaction: discord.Interaction[Any],
        channel_id: int,
        auto_reply: bool | None,
        threshold: float | None,
    ) -> Reply:
        """Show or change a channel's auto-reply setting and confidence threshold (this guild only)."""
        scope = str(interaction.guild_id)
        configured = channel_id in self.opts.help_channels
        if auto_reply is None and threshold is None:
            current = await self.engine.channel_settings(PLATFORM, scope, str(channel_id), configured=configured)
            return Reply(content=describe_channel(channel_id, current, changed=False), ephemeral=True)
        new = await self.engine.set_channel(
            PLATFORM,
            scope,
            str(channel_id),
            actor_of(interaction.user),
            auto_reply=auto_reply,
            threshold=threshold,
            configured=configured,
        )
        return Reply(content=describe_channel(channel_id, new, changed=True), ephemeral=True)


def describe_channel(channel_id: int, settings: ChannelSettings, *, changed: bool) -> str:
    state = "on" if settings.auto_reply else "off"
    bar = f"{settings.threshold:.2f}" if settings.threshold is not None else "the default"
    head = "Now" if changed else "Currently"
    return clip(f"{head}: auto-replies are **{state}** in <#{channel_id}>; confidence threshold {bar}.", CONTENT_MAX)
