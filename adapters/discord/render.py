"""Answers as Discord embeds, kept inside Discord's size limits, and the no-ping policy.

Everything here is pure: it builds :class:`discord.Embed` objects and strings and sends nothing.
``hosts`` is knowledge/hosts.txt: every link the bot posts points at one of them
(:mod:`adapters.discord.markup`), whatever the stored entry says.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.markup import plain, safe_markdown
from bot.chat import NOTHING_MATCHED, link_target
from bot.models import Answer, Entry, KnownIssue, Link, Match, Outcome

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
OPTION_TEXT_MAX = 100
# A readable answer: the body is cut well before the hard limit, the rest is one click away.
BODY_PREVIEW = 1500
# Runner-ups within this much confidence of the best answer are offered under "Other matches".
RUNNER_UP_WINDOW = 0.35

COLOUR_ANSWER = discord.Colour.green()
COLOUR_SUGGEST = discord.Colour.blurple()
COLOUR_UNKNOWN = discord.Colour.orange()
COLOUR_NOTHING = discord.Colour.light_grey()


def no_pings() -> discord.AllowedMentions:
    """Allowed mentions for every message the bot sends: nobody, not even the replied-to author."""
    return discord.AllowedMentions.none()


def quiet(text: str) -> str:
    """Break mention syntax in echoed text, so it cannot even look like a ping in content."""
    return discord.utils.escape_mentions(text)


def clip(text: str, limit: int, marker: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is near."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(marker))]
    space = cut.rfind(" ")
    if space > len(cut) * 0.7:
        cut = cut[:space]
    return cut.rstrip() + marker


def clip_markdown(text: str, limit: int) -> tuple[str, bool]:
    """Markdown cut to ``limit`` at a paragraph or line break, with open code fences closed.

    Returns the text and whether anything was cut.
    """
    text = text.strip()
    if len(text) <= limit:
        return text, False
    room = limit - 8  # space for a closing fence and the ellipsis
    cut = text[:room]
    for sep in ("\n\n", "\n"):
        at = cut.rfind(sep)
        if at > room * 0.5:
            cut = cut[:at]
            break
    else:
        cut = clip(cut, room, "")
    cut = cut.rstrip()
    if cut.count("```") % 2:
        cut += "\n```"
    return cut + "\n…", True


def known_issue_text(ki: KnownIssue, hosts: frozenset[str]) -> str:
    """The known-issue block: status, affects, fixed in, workaround, last verified."""
    lines = [f"**Status:** {ki.status}"]
    lines.append(f"**Affects:** {ki.affects or 'not recorded'}")
    lines.append(f"**Fixed in:** {ki.fixed_in or 'not fixed yet'}")
    workaround = safe_markdown(ki.workaround, hosts)
    if workaround:
        lines.append(f"**Workaround:** {workaround}")
    lines.append(f"**Last verified:** {ki.verified or 'unknown'}")
    text = "\n".join(lines)
    if len(text) > FIELD_MAX:
        # Only the workaround can be long; cut it and keep the date visible.
        fixed = len(text) - len(workaround)
        short = plain(clip(ki.workaround, max(40, FIELD_MAX - fixed - 40)), hosts)
        text = text.replace(workaround, short)
    return clip(text, FIELD_MAX)


def link_line(link: Link, hosts: frozenset[str]) -> str:
    """``- [title](url)``; just the title when the URL may not be linked."""
    title = plain(clip(link.title, 200), hosts).replace("[", "\\[").replace("]", "\\]")
    target = link_target(link.url, hosts)
    return f"- [{title}]({target})" if target else f"- {title}"


def links_text(links: Sequence[Link], hosts: frozenset[str]) -> str:
    """As many links as fit in one field, each on its own line."""
    lines: list[str] = []
    size = 0
    for link in links:
        line = link_line(link, hosts)
        if size + len(line) + 1 > FIELD_MAX:
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def entry_embed(
    entry: Entry,
    *,
    hosts: frozenset[str],
    confidence: float | None = None,
    notes: Sequence[str] = (),
    preview: int = BODY_PREVIEW,
    colour: discord.Colour = COLOUR_ANSWER,
) -> tuple[discord.Embed, bool]:
    """One entry as an embed; returns it and whether the body was trimmed."""
    url = link_target(entry.links[0].url, hosts) if entry.links else None
    summary = safe_markdown(clip(entry.summary, 1000), hosts)
    body, trimmed = clip_markdown(entry.body, preview) if entry.body else ("", False)
    body = safe_markdown(body, hosts)
    description = summary + (f"\n\n{body}" if body else "")
    if trimmed:
        description += "\n*The answer continues: use **Show full answer**" + (" or the title link.*" if url else ".*")
    embed = discord.Embed(
        title=clip(entry.title, TITLE_MAX), url=url, description=clip(description, DESCRIPTION_MAX), colour=colour
    )
    if entry.known_issue is not None:
        embed.add_field(name="Known issue", value=known_issue_text(entry.known_issue, hosts), inline=False)
    if entry.links:
        embed.add_field(name="Links", value=links_text(entry.links, hosts), inline=False)
    if notes:
        embed.add_field(name="Note", value=plain(clip("\n".join(notes), FIELD_MAX - 100), hosts), inline=False)
    footer = f"{entry.kind} · {entry.id}"
    if confidence is not None:
        footer += f" · confidence {confidence:.2f}"
    embed.set_footer(text=clip(footer, FOOTER_MAX))
    return embed, trimmed


def match_line(m: Match, hosts: frozenset[str]) -> str:
    """A suggestion: the title (linked when it has a link that may be linked), confidence, summary."""
    e = m.entry
    title = plain(clip(e.title, 200), hosts).replace("[", "\\[").replace("]", "\\]")
    target = link_target(e.links[0].url, hosts) if e.links else None
    head = f"[{title}]({target})" if target else title
    issue = f" · known issue ({plain(e.known_issue.status, hosts)})" if e.known_issue else ""
    return f"**{head}** ({m.confidence:.0%}{issue})\n{safe_markdown(clip(e.summary, 300), hosts)}"


def suggestions_embed(
    title: str, intro: str, matches: Sequence[Match], colour: discord.Colour, hosts: frozenset[str]
) -> discord.Embed:
    parts = [intro] if intro else []
    parts += [match_line(m, hosts) for m in matches]
    description = ""
    for part in parts:
        if len(description) + len(part) + 2 > DESCRIPTION_MAX:
            break
        description += ("\n\n" if description else "") + part
    return discord.Embed(title=title, description=description or None, colour=colour)


def runner_ups(answer: Answer) -> list[Match]:
    """Matches offered in the "Other matches" menu: close runner-ups, or every suggestion."""
    if answer.outcome is Outcome.ANSWER and answer.best is not None:
        best = answer.best.confidence
        return [m for m in answer.matches[1:] if m.confidence >= best - RUNNER_UP_WINDOW]
    return list(answer.matches)


def answer_embeds(answer: Answer, hosts: frozenset[str]) -> tuple[list[discord.Embed], Entry | None]:
    """The embeds for an answer, and the entry whose body was trimmed (for "Show full answer")."""
    if answer.outcome is Outcome.ANSWER and answer.best is not None:
        best = answer.best
        embed, trimmed = entry_embed(best.entry, hosts=hosts, confidence=best.confidence, notes=answer.notes)
        return [embed], best.entry if trimmed else None
    notes = [plain(n, hosts) for n in answer.notes]
    if answer.outcome is Outcome.UNKNOWN_CODE:
        intro = "\n".join([answer.unknown_note or "That error code is not one this bot can identify.", *notes])
        if answer.matches:
            intro += "\n\nThese may still help:"
        unknown = suggestions_embed("Unknown error code", clip(intro, 2000), answer.matches, COLOUR_UNKNOWN, hosts)
        return [unknown], None
    if answer.outcome is Outcome.SUGGEST and answer.matches:
        note = "\n".join(notes)
        intro = "No single entry fits well. The closest:" + (f"\n{note}" if note else "")
        suggest = suggestions_embed(
            "Not sure: these may help", clip(intro, 2000), answer.matches, COLOUR_SUGGEST, hosts
        )
        return [suggest], None
    text = NOTHING_MATCHED + ("\n" + "\n".join(notes) if notes else "")
    return [
        discord.Embed(title="Nothing matched", description=clip(text, DESCRIPTION_MAX), colour=COLOUR_NOTHING)
    ], None


def code_block(lines: Sequence[str], limit: int = DESCRIPTION_MAX) -> str:
    """Lines in a code block, cut to ``limit`` characters (backtick runs neutralised)."""
    out = ""
    for line in lines:
        line = line.replace("```", "`\u200b``")
        if len(out) + len(line) + 1 > limit - 12:
            out += "…\n"
            break
        out += line + "\n"
    return f"```\n{out}```"
