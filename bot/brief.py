"""The short form of an answer: what a busy chat channel reads before it scrolls on.

An entry's full text runs to a few thousand characters; people in a help channel read the
first lines. :func:`brief` picks, once for every renderer (Discord, Slack, the terminal), the
title, the summary's first sentences, the three most useful things to check and the first
links, within about :data:`BUDGET` characters. The rest of the entry stays one click away.

The things to check come from the entry's own structure, never from a list of entries:
1. the list items (or, in prose, the sentences) under a lead such as "What to check first",
   "What to do", "Fix" or "How to confirm", in that order of preference;
2. else the body's first list items (usually "Usual causes");
3. else the body's first sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cut import clip_clause, clip_inline, lead_sentences, sentences, visible
from bot.models import Combined, Entry, KnownIssue, Link

# Visible characters of title, summary, checks, link titles and known issue together; a renderer's
# own labels and footer (about 80 characters) come on top, for about 600 in all.
BUDGET = 520
TITLE_MAX = 120
HEADLINE_MAX = 240  # a combined answer's headline names two errors
SUMMARY_MAX = 200
CHECKS = 3
CHECK_MIN, CHECK_FAIR, CHECK_MAX = 50, 80, 150
AFFECTS_MAX, WORKAROUND_MAX = 70, 90
LINKS = 2
LINK_TITLE_MAX = 60
NOT_FIXED = "not fixed yet"  # a known issue with no fixed release, in every renderer
MIXED_LABEL = "Where to start"
# (summary length, links) tried in turn until the checks get CHECK_FAIR characters each.
_FALLBACKS = ((SUMMARY_MAX, LINKS), (SUMMARY_MAX, 1), (150, 1), (110, 1))


# A paragraph's bold lead ("**What to do**", "**What it means.** ...") or a Markdown heading.
_LEAD = re.compile(r"^\*\*(?P<bold>[^*\n]+?)\*\*[.:]?\s*(?P<rest>.*)$|^#{1,6}\s+(?P<head>.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?P<text>.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")

# Leads whose items are things to do, most useful first (matched at the start of the lowercased lead).
_RANKED: tuple[tuple[str, ...], ...] = (
    ("what to check", "check first", "things to check", "how to check", "checks", "things worth ruling out"),
    ("what to do", "fix", "the right fix", "the fix", "what to try", "what you can do", "workaround", "steps"),
    ("how to confirm", "confirming", "diagnosing", "debugging", "checking", "what to collect"),
)


@dataclass(frozen=True, slots=True)
class Brief:
    """What the first message of an answer shows. ``checks`` are inline Markdown, already cut;
    ``more`` says whether the full entry has more to show than this."""

    title: str
    summary: str
    checks_label: str
    checks: tuple[str, ...]
    links: tuple[Link, ...]
    more: bool

    @property
    def size(self) -> int:
        """Characters of text this brief shows (Markdown markers and link targets not counted)."""
        texts = [self.title, self.summary, *self.checks, *(li.title for li in self.links)]
        if self.checks:
            texts.append(self.checks_label)
        return sum(len(visible(t)) for t in texts)


@dataclass(frozen=True, slots=True)
class Section:
    """A stretch of an entry body under one lead ("" before the first lead)."""

    label: str
    lines: tuple[str, ...]


def brief(
    entry: Entry, budget: int = BUDGET, title: str | None = None, n_checks: int = CHECKS, check_min: int = CHECK_MIN
) -> Brief:
    """The short form of ``entry``, about ``budget`` visible characters at most; ``title``
    replaces the entry's (a combined answer's headline); ``n_checks`` things to check, each cut to
    no fewer than ``check_min`` characters.

    When the checks would get less than :data:`CHECK_FAIR` characters each, the summary and the
    links give way first: the things to check are what the short answer is for.
    """
    title = clip_inline(entry.title if title is None else title, TITLE_MAX if title is None else HEADLINE_MAX)
    label, found = checks(entry.body, n_checks)
    issue = known_issue_brief(entry.known_issue) if entry.known_issue is not None else ()
    fixed = len(visible(title)) + len(label) + sum(len(k) + len(v) for k, v in issue)
    for summary_max, n_links in _FALLBACKS:
        summary = lead_sentences(entry.summary, summary_max)
        links = tuple(Link(clip_inline(li.title, LINK_TITLE_MAX), li.url) for li in entry.links[:n_links])
        room = budget - fixed - len(visible(summary)) - sum(len(li.title) for li in links)
        if room >= CHECK_FAIR * len(found):
            break
    cut = tuple(clip_clause(c, n) for c, n in zip(found, _shares(found, room, check_min), strict=True))
    more = bool(entry.body.strip()) or len(entry.links) > len(links) or summary != entry.summary.strip()
    return Brief(title, summary, label, cut, links, more or entry.known_issue is not None)


def known_issue_brief(ki: KnownIssue) -> tuple[tuple[str, str], ...]:
    """A known issue in short, as (label, value) rows: status, affects, fixed in, workaround
    and last verified, the long ones cut (the full answer has them whole)."""
    rows = [("Status", ki.status), ("Affects", clip_inline(ki.affects, AFFECTS_MAX) or "not recorded")]
    rows.append(("Fixed in", ki.fixed_in or NOT_FIXED))
    if ki.workaround:
        rows.append(("Workaround", clip_inline(ki.workaround, WORKAROUND_MAX)))
    rows.append(("Last verified", ki.verified or "unknown"))
    return tuple(rows)


def _shares(found: tuple[str, ...], room: int, floor: int = CHECK_MIN) -> list[int]:
    """Visible characters for each check: ``room`` shared out, short checks first, so what a
    short one leaves over goes to the longer ones; never under ``floor`` nor over CHECK_MAX."""
    shares = [0] * len(found)
    order = sorted(range(len(found)), key=lambda i: len(visible(found[i])))
    for done, i in enumerate(order):
        fair = room // (len(found) - done)
        shares[i] = max(floor, min(CHECK_MAX, fair, len(visible(found[i]))))
        room -= shares[i]
    return shares


def checks(body: str, n: int = CHECKS) -> tuple[str, tuple[str, ...]]:
    """(label, up to ``n`` things to check) picked from an entry body, uncut; ("", ()) for none."""
    sections = split_sections(body)
    picked: list[tuple[str, str]] = []
    for group in _RANKED:
        for s in sections:
            if _in_group(s.label, group):
                picked += [(s.label, item) for item in items(s)]
    if not picked:
        picked = [(s.label, i) for s in sections for i in _list_items(s.lines)]
    if not picked:
        picked = [(s.label, i) for s in sections for i in sentences(_prose(s.lines))]
    picked = picked[:n]
    if not picked:
        return "", ()
    labels = {label for label, _ in picked}
    label = picked[0][0] if len(labels) == 1 and picked[0][0] else MIXED_LABEL
    return clip_inline(label, 40), tuple(item for _, item in picked)


def _in_group(label: str, group: tuple[str, ...]) -> bool:
    low = label.lower()
    return any(low.startswith(lead) for lead in group)


def split_sections(body: str) -> list[Section]:
    """The body cut at its bold leads and headings; fenced code and tables left out."""
    sections: list[Section] = []
    label, lines = "", list[str]()
    fenced = False
    for line in body.replace("\r\n", "\n").split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or line.lstrip().startswith("|"):
            continue
        m = _LEAD.match(line)
        if m:
            sections.append(Section(label, tuple(lines)))
            label = (m.group("bold") or m.group("head") or "").strip().rstrip(".:")
            lines = [m.group("rest")] if m.group("rest") else []
        else:
            lines.append(line)
    sections.append(Section(label, tuple(lines)))
    return [s for s in sections if any(x.strip() for x in s.lines)]


def items(section: Section) -> list[str]:
    """A section's list items, or, when it has none, its sentences."""
    return _list_items(section.lines) or sentences(_prose(section.lines))


def _list_items(lines: tuple[str, ...]) -> list[str]:
    """Top-level list items, continuation lines joined; nested items stay part of their parent."""
    out: list[str] = []
    top: int | None = None
    for line in lines:
        m = _ITEM.match(line)
        indent = len(line) - len(line.lstrip())
        if m and (top is None or indent <= top):
            top = indent
            out.append(m.group("text").strip())
        elif out and line.strip() and (indent > (top or 0) or m):
            out[-1] += " " + (m.group("text") if m else line).strip()
        elif not line.strip() or not out:
            continue
        else:
            break  # prose after the list ends it
    return [o for o in out if o]


def _prose(lines: tuple[str, ...]) -> str:
    return " ".join(line.strip() for line in lines if line.strip() and not _ITEM.match(line))


# A combined answer shows two entries, the second in one line, and names both in its headline and
# footer: less room than one entry's for the first one's summary and checks, so the whole message
# stays near 600 characters too.
COMBINED_BUDGET = BUDGET - 20
# Two things to check that read as whole thoughts beat three cut to a few words each ("Treat it as a
# disconnect…"): a combined answer has the room of one entry for two.
COMBINED_CHECKS = 2
ASIDE_TITLE_MAX, ASIDE_MAX = 80, 120


@dataclass(frozen=True, slots=True)
class CombinedBrief:
    """The short form of a combined answer: the headline, the cause in short (``first``: the
    nested error to fix, or the topic the question asked about), the error it explains in one line
    (``second_title``, ``aside``: what the error means; none for a nested cause's outer error, which
    the headline describes), both parts' links, and the known issue to note (``known_issue``).
    ``aside_named``: the aside names its error's code itself ("OSSystemExtensionErrorDomain code 3
    means ..."), so no label goes before it: the headline has named the error already."""

    headline: str
    first: Brief
    second_title: str
    aside: str
    links: tuple[Link, ...]
    known_issue: KnownIssue | None = None
    aside_named: bool = False


def combined_brief(c: Combined, budget: int = COMBINED_BUDGET) -> CombinedBrief:
    """``c`` in short, in :attr:`Combined.parts` order, about ``budget`` visible characters."""
    first, second = (m.entry for m in c.parts)
    # The second part is named as the headline names it: "-1202 (server trust evaluation failed)",
    # or "-1022" before the summary that says what it means.
    title = clip_clause(c.outer_label, ASIDE_TITLE_MAX)
    # "-1200 (TLS failed; the nested errSSL code says why) because errSSLClosedNoNotify ...": the headline
    # already says what the outer error is, so its summary is left behind the second part's "More".
    aside = "" if c.nested else lead_sentences(second.summary, ASIDE_MAX)
    named = bool(aside) and _names_its_code(second, aside)
    extra = tuple(Link(clip_inline(li.title, LINK_TITLE_MAX), li.url) for li in second.links[:1])
    room = budget - (0 if named else len(visible(title))) - len(visible(aside)) - sum(len(li.title) for li in extra)
    # The known issue of either part: the first's is noted as in its own answer; else the second's,
    # for a known issue whose symptom is one error code belongs to that error's entry (a topic that
    # explains many codes would note it under every one of them).
    issue = first.known_issue or second.known_issue
    if issue is not None and issue is not first.known_issue:  # brief() counts only the first's
        room -= sum(len(k) + len(v) for k, v in known_issue_brief(issue))
    short = brief(first, budget=room, title=c.headline, n_checks=COMBINED_CHECKS, check_min=CHECK_FAIR)
    seen = {li.url for li in short.links}
    return CombinedBrief(
        short.title, short, title, aside, short.links + tuple(li for li in extra if li.url not in seen), issue, named
    )


# A code this large names itself as a bare number ("-1201 means ...", a headline's "-1202 explained in");
# a small one ("5") could be a count, or a code of many domains (bot.labels names it with its symbol).
NAMED_BARE_CODE = 100


def _names_its_code(entry: Entry, text: str) -> bool:
    """Whether ``text`` names one of the entry's own errors: "code 3", "-1201" (a code of three digits
    or more, as a number of its own), or its symbol."""
    low = text.lower()
    for err in entry.primary:
        if re.search(rf"\bcode {err.code}(?!\d)", low) or (err.symbol and err.symbol in text):
            return True
        if abs(err.code) >= NAMED_BARE_CODE and re.search(rf"(?<![\w.-]){err.code}(?!\w|\.\d)", low):
            return True
    return False
