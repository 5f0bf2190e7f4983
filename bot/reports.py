"""The report rows behind ``history``, ``why``, ``gaps``, ``stats`` and ``review``, written once
for the terminal, the console, Discord and Slack (each renders the same rows its own way), and the
text of the dashboard sign-in reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Gap, Match, ReviewItem, Revision, Stats


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a report: its cells, and lines shown under it (the reasons behind a ranking)."""

    cells: tuple[str, ...]
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """A small table: a title, rows, and what to say when there are no rows.

    ``code`` is the column holding an identifier (an entry id, an error code), which rich
    renderers show as code; -1 when there is none.
    """

    title: str
    rows: tuple[Row, ...]
    empty: str
    code: int = -1

    def lines(self, sep: str = "  ") -> list[str]:
        """Plain text, columns padded to line up in a fixed-width font; details indented."""
        if not self.rows:
            return [self.empty]
        widths = [max(len(r.cells[i]) for r in self.rows if len(r.cells) > i) for i in range(_columns(self.rows))]
        out: list[str] = []
        for row in self.rows:
            cells = [c.ljust(widths[i]) if i < len(row.cells) - 1 else c for i, c in enumerate(row.cells)]
            out.append(sep.join(cells).rstrip())
            out += [f"      - {d}" for d in row.details]
        return out


def _columns(rows: Sequence[Row]) -> int:
    return max(len(r.cells) for r in rows)


def shorten(text: str, limit: int) -> str:
    """Whitespace collapsed, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def history_report(entry_id: str, revisions: Sequence[Revision]) -> Report:
    """An entry's revisions, newest first: number, time (to the second), operation, actor, reason."""
    rows = tuple(Row((str(r.rev), r.at[:19], r.op, r.actor, r.reason)) for r in reversed(revisions))
    return Report(f"History of {entry_id}", rows, f"No revisions of {entry_id}.")


def why_report(matches: Sequence[Match]) -> Report:
    """The ranking, best first: confidence and entry id, and the reasons under each."""
    rows = tuple(Row((f"{m.confidence:.2f}", m.entry.id), tuple(m.why)) for m in matches)
    return Report("Ranking and reasons", rows, "Nothing matched.", code=1)


def gap_key(gap: Gap) -> str:
    """``NSURLErrorDomain -1009``, ``? -1009`` for a bare code, or ``(no code)``."""
    return f"{gap.domain or '?'} {gap.code}" if gap.code is not None else "(no code)"


def gaps_report(gaps: Sequence[Gap]) -> Report:
    """Questions nothing answered, most frequent first: count, code, day last seen, the text."""
    rows = tuple(Row((f"{g.count}x", gap_key(g), g.last_seen[:10], shorten(g.text, 60))) for g in gaps)
    return Report("Questions nothing answered", rows, "No gaps: every question got an answer.", code=1)


def stats_report(s: Stats) -> Report:
    """Counts of entries, queries, feedback and gaps, and the most answered entries."""
    rows = [
        Row(("Entries", f"{s.entries} ({s.curated} curated, {s.reference} catalog)")),
        Row(("Queries", f"{s.queries} ({s.answered} answered)")),
        Row(("Feedback", f"{s.feedback_helpful} helpful, {s.feedback_unhelpful} not")),
        Row(("Gaps", str(s.gaps))),
    ]
    if s.conflicts:
        rows.append(Row(("Conflicts", f"{s.conflicts} (edited in chat and in the files; see 'supportbot kb status')")))
    if s.skipped:
        rows.append(Row(("Unreadable", f"{s.skipped} stored entries cannot be decoded and are skipped")))
    if not s.entries:
        rows.append(Row(("Warning", "the knowledge base is empty: run 'supportbot kb import' or check knowledge.path")))
    if s.top_entries:
        rows.append(Row(("Most answered", ""), tuple(f"{n}x {i}" for i, n in s.top_entries[:10])))
    return Report("Knowledge base", tuple(rows), "")


def review_report(items: Sequence[ReviewItem]) -> Report:
    """The review queue, most hit first: item id, count, kinds, entry answered, the title, and a
    few example questions under each."""
    rows = tuple(
        Row(
            (f"#{i.id}", f"{i.count}x", ",".join(i.kinds), i.top_entry or "-", shorten(i.title, 70)),
            tuple(shorten(e.text, 100) for e in i.examples if e.text)[:3],
        )
        for i in items
    )
    return Report("Review queue", rows, "The review queue is empty.", code=3)


def dashboard_link_text(link: str | None, minutes: int) -> str:
    """The private reply to ``/kb dashboard`` on both platforms (``link`` None: not set up)."""
    if link is None:
        return "The web dashboard is not set up for this bot."
    return (
        f"Your sign-in link to the dashboard: {link}\n"
        f"It works once, for {minutes} minutes, and signs in as you; do not share it."
    )
