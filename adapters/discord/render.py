"""Answers as Discord embeds, kept inside Discord's size limits, and the no-ping policy.

Everything here is pure: it builds :class:`discord.Embed` objects and strings and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.brief import Brief, brief, combined_brief, known_issue_brief
from bot.chat import NOTHING_MATCHED
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


def known_issue_text(ki: KnownIssue, short: bool = False) -> str:
    """The known-issue block: status, affects, fixed in, workaround, last verified (``short``:
    the long ones cut, as in an answer's first message)."""
    if short:
        return clip("\n".join(f"**{k}:** {v}" for k, v in known_issue_brief(ki)), FIELD_MAX)
    lines = [f"**Status:** {ki.status}"]
    lines.append(f"**Affects:** {ki.affects or 'not recorded'}")
    lines.append(f"**Fixed in:** {ki.fixed_in or 'not fixed yet'}")
    if ki.workaround:
        lines.append(f"**Workaround:** {ki.workaround}")
    lines.append(f"**Last verified:** {ki.verified or 'unknown'}")
    text = "\n".join(lines)
    if len(text) > FIELD_MAX:
        # Only the workaround can be long; cut it and keep the date visible.
        fixed = len(text) - len(ki.workaround)
        cut = clip(ki.workaround, max(40, FIELD_MAX - fixed - 20))
        text = text.replace(ki.workaround, cut)
    return clip(text, FIELD_MAX)


def link_line(link: Link) -> str:
    title = discord.utils.escape_markdown(link.title).replace("]", "\\]")
    return f"- [{clip(title, 200)}]({link.url})"


def links_text(links: Sequence[Link]) -> str:
    """As many links as fit in one field, each on its own line."""
    lines: list[str] = []
    size = 0
    for link in links:
        line = link_line(link)
        if size + len(line) + 1 > FIELD_MAX:
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def entry_embed(
    entry: Entry,
    *,
    confidence: float | None = None,
    notes: Sequence[str] = (),
    preview: int = BODY_PREVIEW,
    colour: discord.Colour = COLOUR_ANSWER,
) -> tuple[discord.Embed, bool]:
    """One entry as an embed; returns it and whether the body was trimmed."""
    url = entry.links[0].url if entry.links else None
    summary = clip(entry.summary, 1000)
    body, trimmed = clip_markdown(entry.body, preview) if entry.body else ("", False)
    description = summary + (f"\n\n{body}" if body else "")
    if trimmed:
        description += "\n*The answer continues: use **Show full answer**" + (" or the title link.*" if url else ".*")
    embed = discord.Embed(
        title=clip(entry.title, TITLE_MAX), url=url, description=clip(description, DESCRIPTION_MAX), colour=colour
    )
    _fields(embed, entry.known_issue, entry.links, notes)
    _footer(embed, f"{entry.kind} · {entry.id}", confidence)
    return embed, trimmed


def _fields(
    embed: discord.Embed,
    ki: KnownIssue | None,
    links: Sequence[Link],
    notes: Sequence[str],
    short: bool = False,
) -> None:
    if ki is not None:
        embed.add_field(name="Known issue", value=known_issue_text(ki, short), inline=False)
    if links:
        embed.add_field(name="Links", value=links_text(links), inline=False)
    if notes:
        embed.add_field(name="Note", value=clip("\n".join(notes), FIELD_MAX), inline=False)


def _footer(embed: discord.Embed, text: str, confidence: float | None) -> None:
    if confidence is not None:
        text += f" · confidence {confidence:.2f}"
    embed.set_footer(text=clip(text, FOOTER_MAX))


def checks_markdown(b: Brief) -> str:
    """The brief's things to check as a short list under their label ("" when there are none)."""
    if not b.checks:
        return ""
    return f"\n\n**{b.checks_label}**\n" + "\n".join(f"- {c}" for c in b.checks)


def brief_embed(
    entry: Entry, *, confidence: float | None = None, notes: Sequence[str] = ()
) -> tuple[discord.Embed, bool]:
    """An answer's first message: title, summary, three things to check, links (see
    :func:`bot.brief.brief`). Returns the embed and whether the entry has more to show."""
    b = brief(entry)
    url = entry.links[0].url if entry.links else None
    description = clip(b.summary + checks_markdown(b), DESCRIPTION_MAX)
    embed = discord.Embed(title=clip(b.title, TITLE_MAX), url=url, description=description, colour=COLOUR_ANSWER)
    _fields(embed, entry.known_issue, b.links, notes, short=True)
    _footer(embed, f"{entry.kind} · {entry.id}", confidence)
    return embed, b.more


def combined_embed(c: Combined, notes: Sequence[str] = ()) -> discord.Embed:
    """A combined answer: the headline as the title, the part to fix first in short, the other
    part in one line, both parts' links."""
    cb = combined_brief(c)
    first, second = (m.entry for m in c.parts)
    aside = f"\n\n**{discord.utils.escape_markdown(cb.second_title)}**: {cb.aside}"
    description = clip(cb.first.summary + checks_markdown(cb.first) + aside, DESCRIPTION_MAX)
    url = first.links[0].url if first.links else None
    embed = discord.Embed(title=clip(cb.headline, TITLE_MAX), url=url, description=description, colour=COLOUR_ANSWER)
    _fields(embed, first.known_issue, cb.links, notes, short=True)
    _footer(embed, f"{first.kind} · {first.id} + {second.id}", c.confidence)
    return embed


def match_line(m: Match) -> str:
    """A suggestion: the title (linked when it has a link), its confidence and summary."""
    e = m.entry
    title = clip(discord.utils.escape_markdown(e.title), 200)
    head = f"[{title}]({e.links[0].url})" if e.links else title
    issue = f" · known issue ({e.known_issue.status})" if e.known_issue else ""
    return f"**{head}** ({m.confidence:.0%}{issue})\n{clip(e.summary, 300)}"


def suggestions_embed(title: str, intro: str, matches: Sequence[Match], colour: discord.Colour) -> discord.Embed:
    parts = [intro] if intro else []
    parts += [match_line(m) for m in matches]
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


def answer_embeds(answer: Answer) -> tuple[list[discord.Embed], Entry | None]:
    """The embeds for an answer in short, and the entry the full answer is (for "Show full answer")."""
    if answer.outcome is Outcome.ANSWER and answer.combined is not None:
        first = answer.combined.parts[0].entry
        return [combined_embed(answer.combined, answer.notes)], first
    if answer.outcome is Outcome.ANSWER and answer.best is not None:
        best = answer.best
        embed, more = brief_embed(best.entry, confidence=best.confidence, notes=answer.notes)
        return [embed], best.entry if more else None
    if answer.outcome is Outcome.UNKNOWN_CODE:
        intro = "\n".join([answer.unknown_note or "That error code is not one this bot can identify.", *answer.notes])
        if answer.matches:
            intro += "\n\nThese may still help:"
        return [suggestions_embed("Unknown error code", clip(intro, 2000), answer.matches, COLOUR_UNKNOWN)], None
    if answer.outcome is Outcome.SUGGEST and answer.matches:
        note = "\n".join(answer.notes)
        intro = "No single entry fits well. The closest:" + (f"\n{note}" if note else "")
        return [suggestions_embed("Not sure: these may help", clip(intro, 2000), answer.matches, COLOUR_SUGGEST)], None
    text = NOTHING_MATCHED + ("\n" + "\n".join(answer.notes) if answer.notes else "")
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
