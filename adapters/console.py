"""The terminal adapter: plain-text rendering and a help channel you can type into."""

from __future__ import annotations

import asyncio
import shlex
import textwrap
from pathlib import Path
from typing import TextIO

from bot.brief import NOT_FIXED, Brief, brief, combined_brief
from bot.chat import NOTHING_MATCHED
from bot.curator import Curator
from bot.cut import visible
from bot.engine import Engine
from bot.knowledge.entryfile import render_entry
from bot.models import Answer, Incoming, Match, Mode, Outcome, Place, ReviewScope, SupportBotError
from bot.reports import gaps_report, history_report, review_report, stats_report, why_report
from bot.review import TEACH, ReviewQueue

PLACE = Place(platform="console", scope="local", channel="help")
WIDTH = 100
MORE = "the whole entry: /kb show {id}, or /ask --full TEXT"
ACTOR = "console"
HELP = """Type a message as if in a help channel; the bot replies only when it is confident.
  /ask TEXT             ask explicitly (always answers, or says nothing matched)
  /ask --full TEXT      the same, with the whole entry instead of its short form
  /kb why TEXT          the ranking and the reasons behind it
  /kb show ID           one entry          /kb history ID      its revisions
  /kb revert ID REV     restore a revision /kb delete ID       delete an entry
  /kb gaps              unanswered codes   /kb stats           counts
  /kb import DIR        import knowledge files (all or nothing)
  /kb channel on|off [THRESHOLD]           auto-replies in this console "channel"
  /kb review            what the bot missed  /kb review draft ID   a new entry from an item
  /kb review teach ID ENTRY [alias|pattern|error]   /kb review dismiss ID REASON
  /feedback QUERY yes|no                   /quit
"""


def _fix(fixed_in: str) -> str:
    return f"fixed in {fixed_in}" if fixed_in else NOT_FIXED


def render_match(m: Match, full: bool) -> list[str]:
    e = m.entry
    lines = [f"{e.title}  [{e.id}, confidence {m.confidence:.2f}]"]
    lines += textwrap.wrap(e.summary, 100, initial_indent="  ", subsequent_indent="  ")
    if full and e.body:
        lines += ["", *("  " + line for line in e.body.splitlines()), ""]
    if full and e.known_issue is not None:
        ki = e.known_issue
        lines.append(f"  Known issue ({ki.status}): affects {ki.affects or '?'}; {_fix(ki.fixed_in)}")
        if ki.workaround:
            lines += textwrap.wrap("Workaround: " + ki.workaround, 100, initial_indent="  ", subsequent_indent="  ")
        if ki.verified:
            lines.append(f"  Last verified {ki.verified}")
    for link in e.links[: 5 if full else 1]:
        lines.append(f"  -> {link.title}: {link.url}")
    return lines


def render_brief(m: Match, b: Brief | None = None, title: bool = True) -> list[str]:
    """An answer's short form: title, summary, three things to check, links (see bot.brief)."""
    b = b or brief(m.entry)
    lines = [f"{b.title}  [{m.entry.id}, confidence {m.confidence:.2f}]"] if title else []
    lines += textwrap.wrap(visible(b.summary), WIDTH, initial_indent="  ", subsequent_indent="  ")
    if b.checks:
        lines.append(f"  {visible(b.checks_label)}:")
        for c in b.checks:
            lines += textwrap.wrap(visible(c), WIDTH, initial_indent="  - ", subsequent_indent="    ")
    ki = m.entry.known_issue
    if ki is not None:
        lines.append(f"  Known issue ({ki.status}): {_fix(ki.fixed_in)}")
    lines += [f"  -> {link.title}: {link.url}" for link in b.links]
    return lines


def _others(matches: tuple[Match, ...]) -> list[str]:
    if not matches:
        return []
    return ["Other matches:", *(f"  - {m.entry.title} [{m.entry.id}, {m.confidence:.2f}]" for m in matches)]


def _combined(answer: Answer, full: bool) -> list[str]:
    """One answer in two parts: what to fix first (in full or short), the other part in short."""
    c = answer.combined
    assert c is not None
    first, second = c.parts
    lines = textwrap.wrap(f"{c.headline}  [confidence {c.confidence:.2f}]", WIDTH, subsequent_indent="  ")
    if full:
        return [*lines, "", *render_match(first, full=True), "", *render_match(second, full=False)]
    cb = combined_brief(c)
    lines += ["", f"{first.entry.title}  [{first.entry.id}, confidence {first.confidence:.2f}]"]
    lines += render_brief(first, cb.first, title=False)
    lines += ["", f"{cb.second_title}  [{second.entry.id}, confidence {second.confidence:.2f}]"]
    if cb.aside:
        lines += textwrap.wrap(visible(cb.aside), WIDTH, initial_indent="  ", subsequent_indent="  ")
    ki = cb.known_issue
    if ki is not None and ki is not first.entry.known_issue:  # the first's is in its own short form above
        lines.append(f"  Known issue ({ki.status}): {_fix(ki.fixed_in)}")
    return lines + [f"  -> {link.title}: {link.url}" for link in second.entry.links[:1]]


def render_text(answer: Answer, feedback_hint: bool = False, full: bool = False, more: str = "") -> str:
    """An answer as plain text for a terminal: in short unless ``full``; ``more`` says how to
    see the whole entry (printed under a short answer that has more to show; ``{id}`` is the entry's id)."""
    lines: list[str] = []
    if answer.outcome is Outcome.ANSWER and answer.combined is not None:
        lines += _combined(answer, full)
        lines += _others(answer.matches[2:])
        if more and not full:
            lines.append(f"({more.format(id=answer.combined.parts[0].entry.id)})")
    elif answer.outcome is Outcome.ANSWER and answer.matches:
        best = answer.matches[0]
        b = None if full else brief(best.entry)
        lines += render_match(best, full=True) if b is None else render_brief(best, b)
        lines += _others(answer.matches[1:])
        if more and b is not None and b.more:
            lines.append(f"({more.format(id=best.entry.id)})")
    elif answer.outcome is Outcome.SUGGEST:
        lines.append("Not sure; these may help:")
        for m in answer.matches:
            lines += render_match(m, full=False)
    elif answer.outcome is Outcome.UNKNOWN_CODE:
        lines.append(answer.unknown_note or "That code is not one this bot can identify.")
        for m in answer.matches:
            lines += render_match(m, full=False)
    else:
        lines.append(NOTHING_MATCHED)
    for note in answer.notes:
        lines.append(f"note: {note}")
    if feedback_hint and answer.query_id is not None:
        lines.append(f"(query {answer.query_id}: '/feedback {answer.query_id} yes' or 'no')")
    return "\n".join(lines)


async def handle_line(engine: Engine, curator: Curator, line: str) -> str | None:
    """What the bot would post for one typed line (None: it stays silent).

    ``curator`` makes the knowledge-base changes (``/kb revert``, ``delete``, ``import``).
    """
    line = line.strip()
    if not line:
        return None
    try:
        if line.startswith("/ask"):
            text = line[4:].strip()
            full = text.startswith("--full")
            text = text.removeprefix("--full").strip() if full else text
            answer = await engine.answer(Incoming(text, Mode.SLASH, PLACE, ACTOR))
            return render_text(answer, feedback_hint=True, full=full, more=MORE) if answer else None
        if line.startswith("/feedback"):
            parts = line.split()
            if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("yes", "no"):
                return "usage: /feedback QUERY yes|no"
            await engine.feedback(int(parts[1]), ACTOR, parts[2] == "yes")
            return "thanks, recorded"
        if line.startswith("/kb"):
            return await _kb(engine, curator, line[3:].strip())
        if line.startswith("/help"):
            return HELP
        settings = await engine.channel_settings(PLACE.platform, PLACE.scope, PLACE.channel, configured=True)
        if not settings.auto_reply:
            return None
        answer = await engine.answer(Incoming(line, Mode.AUTO, PLACE, ACTOR))
        return render_text(answer, feedback_hint=True, more=MORE) if answer else None
    except SupportBotError as exc:
        return f"error: {exc}"


async def _kb(engine: Engine, curator: Curator, rest: str) -> str:
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        return f"error: {exc}"
    if not words:
        return HELP
    cmd, args = words[0], words[1:]
    if cmd == "why":
        return "\n".join(why_report(await engine.why(rest[len("why") :].strip())).lines())
    if cmd == "show" and len(args) == 1:
        e = await engine.get_entry(args[0])
        return "\n".join(render_match(Match(e, 1.0, ()), full=True))
    if cmd == "history" and len(args) == 1:
        return "\n".join(history_report(args[0], await engine.history(args[0])).lines())
    if cmd == "revert" and len(args) == 2 and args[1].isdigit():
        r = await curator.revert(args[0], int(args[1]), ACTOR)
        return f"reverted {args[0]} to revision {args[1]} (now revision {r.rev})"
    if cmd == "delete" and len(args) == 1:
        r = await curator.delete_entry(args[0], ACTOR)
        return f"deleted {args[0]} (revision {r.rev}; '/kb revert {args[0]} {r.rev - 1}' undoes it)"
    if cmd == "gaps":
        return "\n".join(gaps_report(await engine.gaps()).lines())
    if cmd == "import" and len(args) == 1:
        report = await curator.import_tree(Path(args[0]), ACTOR)
        return f"read {report.read} entries, {report.changed} new or changed"
    if cmd == "channel" and args and args[0] in ("on", "off"):
        try:
            threshold = float(args[1]) if len(args) > 1 else None
        except ValueError:
            return f"error: '{args[1]}' is not a number; the threshold is a confidence such as 0.85"
        new = await engine.set_channel(
            PLACE.platform, PLACE.scope, PLACE.channel, ACTOR, auto_reply=args[0] == "on", threshold=threshold
        )
        bar = f", threshold {new.threshold}" if new.threshold is not None else ""
        return f"auto-replies {'on' if new.auto_reply else 'off'}{bar}"
    if cmd == "stats":
        return "\n".join(stats_report(await engine.stats()).lines())
    if cmd == "review":
        return await _review(ReviewQueue(engine, curator), args)
    return HELP


async def _review(queue: ReviewQueue, args: list[str]) -> str:
    """``/kb review`` and its actions; the console, like the terminal, sees every item."""
    if not args:
        return "\n".join(review_report(await queue.items(ReviewScope.everything(), 20)).lines())
    action, rest = args[0], args[1:]
    if not rest or not rest[0].isdigit():
        return HELP
    item_id = int(rest[0])
    if action == "draft" and len(rest) == 1:
        return render_entry(await queue.draft_entry(item_id)).rstrip()
    if action == "dismiss" and len(rest) >= 2:
        await queue.dismiss(item_id, ACTOR, " ".join(rest[1:]))
        return f"dismissed review item #{item_id}"
    if action == "teach" and len(rest) in (2, 3):
        what = rest[2] if len(rest) == 3 else "alias"
        if what not in TEACH:
            return f"error: teach one of {', '.join(TEACH)}"
        rev = await queue.teach(item_id, rest[1], ACTOR, what)
        return f"{rest[1]} is now revision {rev.rev} ({rev.reason})"
    return HELP


async def run_console(engine: Engine, curator: Curator, stdin: TextIO, stdout: TextIO) -> None:
    """Read lines until EOF or /quit, printing what the bot would post."""
    stdout.write("supportbot console. /help for commands.\n")
    loop = asyncio.get_running_loop()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line or line.strip() in ("/quit", "/exit"):
            break
        reply = await handle_line(engine, curator, line)
        stdout.write((reply if reply is not None else "(the bot stays silent)") + "\n")
