"""Block Kit rendering of answers and entries, within Slack's limits.

Limits respected here: a header is at most 150 characters, a section text 3,000, a button
label 75, a context element 2,000, and a message at most 50 blocks. Every function returns a
payload that already went through :func:`adapters.slack.safety.guard`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.slack.mrkdwn import inline, link, split, to_mrkdwn
from adapters.slack.safety import cut, cut_plain, escape, guard, plain
from bot.brief import NOT_FIXED, Brief, brief, combined_brief, known_issue_brief
from bot.chat import NOTHING_MATCHED, NOTHING_MATCHED_SHORT, code_span
from bot.models import Answer, Combined, Entry, KnownIssue, Link, Match, Outcome

Block = dict[str, Any]
Message = dict[str, Any]

HEADER_MAX = 150
SECTION_MAX = 3000
CONTEXT_MAX = 2000
BUTTON_MAX = 75
MAX_BLOCKS = 50
MAX_BODY_SECTIONS = 30

FEEDBACK_YES = "feedback_helpful"
FEEDBACK_NO = "feedback_unhelpful"
OTHER_MATCH = "other_match_"  # + index: action ids must be unique within a message
FULL_ANSWER = "full_answer_"  # + index; "More": the whole entry, shown to the clicker only


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": cut_plain(plain(text), HEADER_MAX), "emoji": True}}


def section(mrkdwn: str, accessory: Block | None = None) -> Block:
    """A section of already-escaped mrkdwn. ``verbatim`` stops Slack from linking names itself."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": cut(mrkdwn, SECTION_MAX), "verbatim": True}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*mrkdwn: str) -> Block:
    elements = [{"type": "mrkdwn", "text": cut(m, CONTEXT_MAX), "verbatim": True} for m in mrkdwn[:10] if m]
    return {"type": "context", "elements": elements}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    b: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": cut_plain(plain(label), BUTTON_MAX), "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        b["style"] = style
    return b


def known_issue_text(ki: KnownIssue, hosts: frozenset[str]) -> str:
    lines = [f":warning: *Known issue* ({escape(ki.status)})"]
    if ki.affects:
        lines.append(f"*Affects:* {escape(ki.affects)}")
    lines.append(f"*Fixed in:* {escape(ki.fixed_in) if ki.fixed_in else NOT_FIXED}")
    if ki.workaround:
        lines.append(f"*Workaround:* {inline(ki.workaround, hosts)}")
    if ki.verified:
        lines.append(f"_Last verified {escape(ki.verified)}_")
    return "\n".join(lines)


def entry_blocks(entry: Entry, hosts: frozenset[str], confidence: float | None = None) -> list[Block]:
    """The full rendering of one entry: header, summary, body, links, known issue, footer."""
    blocks = [header(entry.title), section(inline(entry.summary, hosts))]
    if entry.body.strip():
        pieces = split(to_mrkdwn(entry.body, hosts), SECTION_MAX)
        blocks += [section(p) for p in pieces[:MAX_BODY_SECTIONS]]
    if entry.links:
        lines = [f"• {link(li.url, li.title, hosts)}" for li in entry.links[:5]]
        blocks.append(section("*Links*\n" + "\n".join(lines)))
    if entry.known_issue is not None:
        blocks.append(section(known_issue_text(entry.known_issue, hosts)))
    blocks.append(context(_footer(entry, confidence)))
    return blocks


def known_issue_short(ki: KnownIssue, hosts: frozenset[str]) -> str:
    """The known issue in an answer's first message: the rows of bot.brief, the long ones cut."""
    rows = known_issue_brief(ki)
    return ":warning: *Known issue*\n" + "\n".join(f"*{k}:* {inline(v, hosts)}" for k, v in rows)


def links_section(links: Sequence[Link], hosts: frozenset[str]) -> Block:
    return section("*Links*\n" + "\n".join(f"• {link(li.url, li.title, hosts)}" for li in links))


def more_button(i: int, entry_id: str) -> Block:
    return button("More", f"{FULL_ANSWER}{i}", entry_id)


def _checks(b: Brief, hosts: frozenset[str]) -> str:
    return f"*{inline(b.checks_label, hosts)}*\n" + "\n".join(f"• {inline(c, hosts)}" for c in b.checks)


def brief_blocks(entry: Entry, hosts: frozenset[str], confidence: float | None = None) -> list[Block]:
    """An answer's first message: title, summary, three things to check (with "More" when the
    entry has more to show), links, the known issue in short, the footer."""
    b = brief(entry)
    more = more_button(0, entry.id) if b.more else None
    blocks = [header(b.title), section(inline(b.summary, hosts), None if b.checks else more)]
    if b.checks:
        blocks.append(section(_checks(b, hosts), more))
    if b.links:
        blocks.append(links_section(b.links, hosts))
    if entry.known_issue is not None:
        blocks.append(section(known_issue_short(entry.known_issue, hosts)))
    blocks.append(context(_footer(entry, confidence)))
    return blocks


def _footer(entry: Entry, confidence: float | None) -> str:
    footer = f"`{escape(entry.id)}` · {escape(entry.kind)}"
    return footer + (f" · confidence {confidence:.2f}" if confidence is not None else "")


def combined_blocks(c: Combined, hosts: frozenset[str]) -> list[Block]:
    """A combined answer: the headline, the part to fix first in short, the other part in one
    line, each with "More", and both parts' links."""
    cb = combined_brief(c)
    first, second = (m.entry for m in c.parts)
    blocks = [
        header(cb.headline),
        section(inline(cb.first.summary, hosts), None if cb.first.checks else more_button(0, first.id)),
    ]
    if cb.first.checks:
        blocks.append(section(_checks(cb.first, hosts), more_button(0, first.id)))
    second_more = more_button(1, second.id)
    if cb.aside or not cb.links:
        if cb.aside_named:
            blocks.append(section(inline(cb.aside, hosts), second_more))
        else:
            aside = f"\n{inline(cb.aside, hosts)}" if cb.aside else ""
            blocks.append(section(f"*{inline(cb.second_title, hosts)}*{aside}", second_more))
    if cb.links:
        links = links_section(cb.links, hosts)
        if not cb.aside:
            # The headline describes a nested cause's outer error: its "More" sits by its link.
            links["accessory"] = second_more
        blocks.append(links)
    if cb.known_issue is not None:
        blocks.append(section(known_issue_short(cb.known_issue, hosts)))
    footer = f"`{escape(first.id)}` + `{escape(second.id)}` · confidence {c.confidence:.2f}"
    blocks.append(context(footer))
    return blocks


def _others(others: Sequence[Match]) -> list[Block]:
    if not others:
        return []
    elements = [button(m.entry.title, f"{OTHER_MATCH}{i}", m.entry.id) for i, m in enumerate(others)]
    return [
        {"type": "divider"},
        section("*Other matches*"),
        {"type": "actions", "block_id": "other_matches", "elements": elements},
    ]


def _short_match(i: int, m: Match, hosts: frozenset[str]) -> Block:
    e = m.entry
    text = f"*{escape(e.title)}*\n{cut(inline(e.summary, hosts), 600)}"
    if e.links:
        text += "\n" + link(e.links[0].url, e.links[0].title, hosts)
    return section(text, accessory=button("Show", f"{OTHER_MATCH}{i}", e.id))


def _feedback(query_id: int) -> Block:
    return {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            button("👍 Helpful", FEEDBACK_YES, str(query_id)),
            button("👎 Not helpful", FEEDBACK_NO, str(query_id)),
        ],
    }


def answer_blocks(answer: Answer, hosts: frozenset[str], asked: str = "", notes: Sequence[str] = ()) -> list[Block]:
    """Block Kit for an answer of any outcome. ``asked`` is echoed (escaped) when nothing matched."""
    all_notes = [*answer.notes, *notes]
    blocks: list[Block] = []
    unknown_note = answer.unknown_note
    if answer.outcome is Outcome.ANSWER and answer.combined is not None:
        blocks += combined_blocks(answer.combined, hosts)
        blocks += _others(answer.matches[2:7])
    elif answer.outcome is Outcome.ANSWER and answer.matches:
        best = answer.matches[0]
        blocks += brief_blocks(best.entry, hosts, best.confidence)
        blocks += _others(answer.matches[1:6])
    elif answer.outcome in (Outcome.SUGGEST, Outcome.UNKNOWN_CODE):
        unknown = answer.outcome is Outcome.UNKNOWN_CODE
        blocks.append(header("Unknown error code" if unknown else "Possible matches"))
        if unknown_note:
            blocks.append(section(escape(unknown_note)))
        if answer.matches:
            blocks.append(section("These may help, the closest first:" if not unknown else "Related entries:"))
            blocks += [_short_match(i, m, hosts) for i, m in enumerate(answer.matches[:5])]
    else:
        blocks.append(section(escape(NOTHING_MATCHED)))
        if asked.strip():
            blocks.append(context("You asked: " + escape(code_span(asked, 300))))
    if all_notes:
        blocks.append(context(*(escape(n) for n in all_notes)))
    if answer.query_id is not None:
        blocks.append(_feedback(answer.query_id))
    return blocks[:MAX_BLOCKS]


def answer_fallback(answer: Answer) -> str:
    """The notification text that accompanies the blocks (also escaped)."""
    if answer.outcome is Outcome.ANSWER and answer.combined is not None:
        return cut(escape(answer.combined.headline), 300)
    if answer.outcome is Outcome.ANSWER and answer.matches:
        e = answer.matches[0].entry
        return cut(escape(f"{e.title}: {e.summary}"), 300)
    if answer.outcome is Outcome.SUGGEST:
        return cut(escape("Possible matches: " + "; ".join(m.entry.title for m in answer.matches[:3])), 300)
    if answer.outcome is Outcome.UNKNOWN_CODE:
        return "Unknown error code: please post the full error."
    return NOTHING_MATCHED_SHORT


def answer_message(answer: Answer, hosts: frozenset[str], asked: str = "", notes: Sequence[str] = ()) -> Message:
    """A message payload (``text`` + ``blocks``) for an answer."""
    return guard({"text": answer_fallback(answer), "blocks": answer_blocks(answer, hosts, asked, notes)})


def entry_message(entry: Entry, hosts: frozenset[str], note: str = "") -> Message:
    """A message payload showing one entry in full (other matches, ``/kb show``)."""
    blocks = entry_blocks(entry, hosts)
    if note:
        blocks.append(context(escape(note)))
    return guard({"text": cut(escape(entry.title), 300), "blocks": blocks[:MAX_BLOCKS]})


def text_message(mrkdwn: str) -> Message:
    """A message payload from already-escaped mrkdwn, split into as many sections as needed."""
    pieces = split(mrkdwn, SECTION_MAX) or [" "]
    blocks = [section(p) for p in pieces[:MAX_BLOCKS]]
    return guard({"text": cut(pieces[0], 300), "blocks": blocks})
