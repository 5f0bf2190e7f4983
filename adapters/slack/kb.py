"""``/kb``: knowledge-base administration for admins, answered privately (ephemeral).

Every subcommand except ``help`` runs the admin check first; every change passes the Slack
user id to the core as the actor, so the revision history says who did what.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.access import DENIED, KB_CHANGES, PLATFORM, actor, is_admin, kb_change_refusal
from adapters.slack.manifest import KB_COMMAND
from adapters.slack.modals import entry_view
from adapters.slack.render import Message, entry_message, text_message
from adapters.slack.respond import FAILURE, error_message, reply
from adapters.slack.review import review_command
from adapters.slack.safety import cut, escape, from_slack
from adapters.slack.state import BotState
from bot.knowledge.archive import export_archive
from bot.models import Entry, Gap, SupportBotError
from bot.reports import Report, dashboard_link_text, gaps_report, history_report, stats_report, why_report

HELP = """*/kb*: knowledge-base administration (workspace admins and configured admins only)
• `/kb add`: a form for a new entry
• `/kb edit ID`: a form to edit an entry
• `/kb show ID`  ·  `/kb history ID`  ·  `/kb revert ID REV`  ·  `/kb delete ID`
• `/kb why TEXT`: the ranking for TEXT and the reasons behind it
• `/kb gaps`: codes and questions nothing answered  ·  `/kb stats`: counts
• `/kb review`: what the bot missed, with buttons to create an entry, teach one or dismiss; \
`/kb review teach ID ENTRY [alias|pattern|error]`, `/kb review dismiss ID REASON`
• `/kb export`: upload the knowledge files to this channel as a zip
• `/kb dashboard`: a private one-time sign-in link to the web dashboard
• `/kb channel`: auto-replies in this channel; `/kb channel on [THRESHOLD]`, `/kb channel off`, \
`/kb channel threshold 0.85`"""
_CHANNEL_ID = re.compile(r"^[A-Z0-9]{2,}$")


class Usage(SupportBotError):
    """A subcommand was called with the wrong arguments."""


def register(app: AsyncApp, state: BotState) -> None:
    """Register the /kb listener."""

    async def on_kb(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, context: Any
    ) -> None:
        await ack()
        sub, _, rest = from_slack(str(command.get("text", ""))).strip().partition(" ")
        sub, rest = sub.lower(), rest.strip()
        user = str(command.get("user_id", ""))
        if sub in ("", "help"):
            await reply(respond, text_message(HELP))
            return
        if not await is_admin(client, user, state.settings.admin_users):
            state.log.info("denied /kb %s for %s", sub, user)
            await reply(respond, error_message(DENIED))
            return
        team = str(command.get("team_id") or context.team_id or "")
        refusal = kb_change_refusal(team, state.settings.kb_workspaces) if sub in KB_CHANGES else None
        if refusal is not None:
            state.log.info("refused /kb %s for %s in %s: not a kb_workspaces workspace", sub, user, team)
            await reply(respond, error_message(refusal))
            return
        kb = _Kb(state, client, command, team, user)
        try:
            message = await kb.run(sub, rest)
        except SupportBotError as exc:
            message = error_message(str(exc))
        except Exception:
            state.log.exception("/kb %s failed", sub)
            message = error_message(FAILURE)
        if message is not None:
            await reply(respond, message)

    app.command(KB_COMMAND)(on_kb)


class _Kb:
    """One /kb invocation by an admin (already checked)."""

    def __init__(self, state: BotState, client: AsyncWebClient, command: dict[str, Any], team: str, user: str):
        self.state = state
        self.engine = state.engine
        self.curator = state.curator
        self.client = client
        self.command = command
        self.team = team
        self.actor = actor(user)
        self.channel = str(command.get("channel_id", ""))

    async def run(self, sub: str, rest: str) -> Message | None:
        args = rest.split()
        if sub == "add" and not args:
            await self._open(None)
            return None
        if sub == "edit" and len(args) == 1:
            entry = await self.engine.get_entry(args[0])
            if entry.catalog:
                raise Usage(f"'{entry.id}' is a row of catalog/{entry.catalog}.tsv; edit that file instead.")
            await self._open(entry)
            return None
        if sub == "show" and len(args) == 1:
            return entry_message(await self.engine.get_entry(args[0]), self.state.link_hosts)
        if sub == "history" and len(args) == 1:
            return report_message(history_report(args[0], await self.engine.history(args[0])))
        if sub == "revert" and len(args) == 2 and args[1].isdigit():
            r = await self.curator.revert(args[0], int(args[1]), self.actor)
            return text_message(f"Reverted `{escape(args[0])}` to revision {args[1]} (now revision {r.rev}).")
        if sub == "delete" and len(args) == 1:
            r = await self.curator.delete_entry(args[0], self.actor)
            undo = f"`/kb revert {escape(args[0])} {r.rev - 1}`"
            return text_message(f"Deleted `{escape(args[0])}` (revision {r.rev}); {undo} undoes it.")
        if sub == "why" and rest:
            return report_message(why_report(await self.engine.why(rest)))
        if sub == "gaps" and not args:
            return report_message(gaps_report(await self._gaps()))
        if sub == "stats" and not args:
            return report_message(stats_report(await self.engine.stats()))
        if sub == "review":
            return await review_command(self.state, self.team, self.actor, args)
        if sub == "export" and not args:
            return await self._export()
        if sub == "channel":
            return await self._channel(args)
        if sub == "dashboard" and not args:
            return await self._dashboard()
        raise Usage(f"Unknown or incomplete subcommand. {HELP}")

    async def _gaps(self) -> list[Gap]:
        # Admins of a kb_workspaces workspace see every workspace's questions; others their own.
        if kb_change_refusal(self.team, self.state.settings.kb_workspaces) is None:
            return await self.engine.gaps()
        return await self.engine.gaps(platform=PLATFORM, scope=self.team)

    async def _open(self, entry: Entry | None) -> None:
        view = entry_view(entry)
        await self.client.views_open(trigger_id=str(self.command.get("trigger_id", "")), view=view)

    async def _export(self) -> Message:
        files = await self.engine.export_files()
        try:
            await self.client.files_upload_v2(
                content=export_archive(files),
                filename="knowledge-export.zip",
                title="Knowledge base export",
                channel=self.channel,
                initial_comment=f"Knowledge base export: {len(files)} files. Unzip over the repository and open a pull request.",
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            return error_message(
                f"The upload failed ({error}). Invite the bot to this channel, or run /kb export in a channel it is in."
            )
        return text_message(f"Uploaded `knowledge-export.zip` ({len(files)} files) to this channel.")

    async def _dashboard(self) -> Message:
        # The reply is ephemeral like every /kb reply: only the admin who asked sees the link.
        links = self.state.links
        if links is None:
            return text_message(escape(dashboard_link_text(None, 0)))
        link = await links.issue(self.actor)
        # The link is the bot's own, so it is sent as a Slack link (<url>); bare URLs in a reply
        # are broken on purpose elsewhere, which would make this one unclickable.
        text = escape(dashboard_link_text(link, links.minutes)).replace(escape(link), f"<{escape(link)}>")
        return text_message(text)

    async def _channel(self, args: list[str]) -> Message:
        if not _CHANNEL_ID.match(self.channel):
            raise Usage("Run /kb channel in the channel you want to change.")
        configured = self.state.configured_channel(self.channel)
        words = [a.lower() for a in args]
        auto: bool | None = None
        threshold: float | None = None
        for word in words:
            if word in ("on", "off"):
                auto = word == "on"
            elif word == "threshold":
                continue
            else:
                try:
                    threshold = float(word)
                except ValueError:
                    raise Usage("Usage: /kb channel [on|off] [THRESHOLD], for example /kb channel on 0.85") from None
        if auto is None and threshold is None:
            current = await self.engine.channel_settings(PLATFORM, self.team, self.channel, configured=configured)
            verb = "Auto-replies in"
        else:
            current = await self.engine.set_channel(
                PLATFORM,
                self.team,
                self.channel,
                self.actor,
                auto_reply=auto,
                threshold=threshold,
                configured=configured,
            )
            verb = "Changed: auto-replies in"
        default = self.engine.policy.auto_threshold
        shown = f"{current.threshold:.2f}" if current.threshold is not None else f"the default ({default:.2f})"
        state = "on" if current.auto_reply else "off"
        return text_message(f"{verb} <#{self.channel}> are *{state}*; confidence threshold {shown}.")


def report_message(report: Report) -> Message:
    """A shared report as mrkdwn: a bold title, one bullet per row (its first cell bold, an
    identifier as code), the details indented under it."""
    if not report.rows:
        return text_message(escape(report.empty))
    lines = [f"*{escape(report.title)}*"]
    for row in report.rows:
        cells = [f"`{escape(c)}`" if i == report.code else escape(c) for i, c in enumerate(row.cells[1:], 1) if c]
        lines.append(f"• *{escape(row.cells[0])}* " + " · ".join(cells))
        lines += [f"    ◦ {cut(escape(d), 300)}" for d in row.details]
    return text_message("\n".join(lines))
