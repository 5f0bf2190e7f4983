"""Answers as Discord embeds, kept inside Discord's size limits, and the no-ping policy.

Everything here is pure: it builds :class:`discord.Embed` objects and strings and sends nothing.
``hosts`` is knowledge/hosts.txt: every link the bot posts points at one of them
(:mod:`adapters.discord.markup`), whatever the stored entry says.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.markup import plain, safe_markdown
from bot.brief import NOT_FIXED, Brief, brief, combined_brief, known_issue_brief
from bot.chat import NOTHING_MATCHED, link_target
from bot.models import Answer, Combined, Entry, KnownIssue, Link, Match, Outcome

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
OPTION_TEXT_MAX = 100
# A readable entry: the body is cut well before the hard limit, the rest is one click away.
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


def known_issue_text(ki: KnownIssue, hosts: frozenset[str], short: bool = False) -> str:
    """The known-issue block: status, affects, fixed in, workaround, last verified (``short``:
    the long ones cut, as in an answer's first message)."""
    if short:
        return clip("\n".join(f"**{k}:** {safe_markdown(v, hosts)}" for k, v in known_issue_brief(ki)), FIELD_MAX)
    lines = [f"**Status:** {plain(ki.status, hosts)}"]
    lines.append(f"**Affects:** {plain(ki.affects, hosts) or 'not recorded'}")
    lines.append(f"**Fixed in:** {plain(ki.fixed_in, hosts) or NOT_FIXED}")
    workaround = safe_markdown(ki.workaround, hosts)
    if workaround:
        lines.append(f"**Workaround:** {workaround}")
    lines.append(f"**Last verified:** {plain(ki.verified, hosts) or 'unknown'}")
    text = "\n".join(lines)
    if len(text) > FIELD_MAX:
        # Only the workaround can be long; cut it and keep the date visible.
        fixed = len(text) - len(workaround)
        cut = plain(clip(ki.workaround, max(40, FIELD_MAX - fixed - 40)), hosts)
        text = text.replace(workaround, cut)
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
    _fields(embed, hosts, entry.known_issue, entry.links, notes)
    _footer(embed, f"{entry.kind} · {entry.id}", confidence)
    return embed, trimmed


def _fields(
    embed: discord.Embed,
    hosts: frozenset[str],
    ki: KnownIssue | None,
    links: Sequence[Link],
    notes: Sequence[str],
    short: bool = False,
) -> None:
    if ki is not None:
        embed.add_field(name="Known issue", value=known_issue_text(ki, hosts, short), inline=False)
    if links:
        embed.add_field(name="Links", value=links_text(links, hosts), inline=False)
    if notes:
        embed.add_field(name="Note", value=plain(clip("\n".join(notes), FIELD_MAX - 100), hosts), inline=False)


def _footer(embed: discord.Embed, text: str, confidence: float | None) -> None:
    if confidence is not None:
        text += f" · confidence {confidence:.2f}"
    embed.set_footer(text=clip(text, FOOTER_MAX))


def checks_markdown(b: Brief, hosts: frozenset[str]) -> str:
    """The brief's things to check as a short list under their label ("" when there are none)."""
    if not b.checks:
        return ""
    return f"\n\n**{b.checks_label}**\n" + "\n".join(f"- {safe_markdown(c, hosts)}" for c in b.checks)


def brief_embed(
    entry: Entry, *, hosts: frozenset[str], confidence: float | None = None, notes: Sequence[str] = ()
) -> tuple[discord.Embed, bool]:
    """An answer's first message: title, summary, three things to check, links (see
    :func:`bot.brief.brief`). Returns the embed and whether the entry has more to show."""
    b = brief(entry)
    url = link_target(entry.links[0].url, hosts) if entry.links else None
    description = clip(safe_markdown(b.summary, hosts) + checks_markdown(b, hosts), DESCRIPTION_MAX)
    embed = discord.Embed(title=clip(b.title, TITLE_MAX), url=url, description=description, colour=COLOUR_ANSWER)
    _fields(embed, hosts, entry.known_issue, b.links, notes, short=True)
    _footer(embed, f"{entry.kind} · {entry.id}", confidence)
    return embed, b.more


def combined_embed(c: Combined, hosts: frozenset[str], notes: Sequence[str] = ()) -> discord.Embed:
    """A combined answer: the headline as the title, the part to fix first in short, the other
    part in one line, both parts' links."""
    cb = combined_brief(c)
    first, second = (m.entry for m in c.parts)
    label = "" if cb.aside_named else f"**{plain(cb.second_title, hosts)}**: "
    aside = f"\n\n{label}{safe_markdown(cb.aside, hosts)}" if cb.aside else ""
    summary = safe_markdown(cb.first.summary, hosts)
    description = clip(summary + checks_markdown(cb.first, hosts) + aside, DESCRIPTION_MAX)
    url = link_target(first.links[0].url, hosts) if first.links else None
    embed = discord.Embed(title=clip(cb.headline, TITLE_MAX), url=url, description=description, colour=COLOUR_ANSWER)
    _fields(embed, hosts, cb.known_issue, cb.links, notes, short=True)
    _footer(embed, f"{first.kind} · {first.id} + {second.id}", c.confidence)
    return embed


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
    """The embeds for an answer in short, and the entry the full answer is (for "Show full answer")."""
    if answer.outcome is Outcome.ANSWER and answer.combined is not None:
        first = answer.combined.parts[0].entry
        return [combined_embed(answer.combined, hosts, answer.notes)], first
    if answer.outcome is Outcome.ANSWER and answer.best is not None:
        best = answer.best
        embed, more = brief_embed(best.entry, hosts=hosts, confidence=best.confidence, notes=answer.notes)
        return [embed], best.entry if more else None
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
