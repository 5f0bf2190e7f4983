"""What every chat adapter does the same way, written once and free of platform SDKs.

- :class:`AutoReplyGate`: once per thread, at most one auto-reply per channel per cooldown;
- :class:`TextFiles`: which shared files are read as text, and what the asker is told about the rest;
- the report rows behind ``history``, ``why``, ``gaps`` and ``stats`` (:class:`Report`);
- the "nothing matched" text, and the knowledge files as one zip for ``export``.

Adapters translate platform events into calls on these and render the results; they decide
nothing of this themselves, so Discord, Slack and the console cannot drift apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.extract import looks_binary
from bot.models import Attachment, Gap, Match, ReviewItem, Revision, Stats

NOTHING_MATCHED_SHORT = "Nothing in the knowledge base matches that."
NOTHING_MATCHED = (
    NOTHING_MATCHED_SHORT + " Paste the full error text, with its domain and code (for example "
    "`Error Domain=NSURLErrorDomain Code=-1009`), or attach the log or crash report."
)
F = TypeVar("F")
MEMORY = 10_000  # per-process bounded memories (e.g. Discord thread states): oldest forgotten first


class ReplyLedger(Protocol):
    """The part of the store the gate needs (:class:`bot.store.base.Store` has it)."""

    async def thread_answered(self, platform: str, channel: str, thread: str) -> bool: ...
    async def last_reply(self, platform: str, channel: str) -> float | None: ...
    async def mark_answered(self, platform: str, channel: str, thread: str, at: float) -> None: ...
    async def claim_reply(self, platform: str, channel: str, thread: str, at: float, cooldown: float) -> bool: ...


class AutoReplyGate:
    """Decides whether an auto-reply may be posted: once per thread, and at most one per
    channel per cooldown.

    The memory is the store's ledger, not this process's: every process on one database (Discord
    shard groups, Slack replicas, a Slack retry landing on another replica) asks the database,
    which lets exactly one claim win, and a restarted process keeps the cooldowns. ``answered``
    and ``cooling`` are cheap early checks; only ``claim`` decides. The clock is wall time
    (seconds since the epoch), since processes compare each other's times.
    """

    def __init__(
        self, ledger: ReplyLedger, platform: str, cooldown_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.ledger = ledger
        self.platform = platform
        self.cooldown = cooldown_seconds
        self.clock = clock

    async def answered(self, channel: str, thread: str) -> bool:
        """True when the thread already got an answer from the bot (in any mode, any process)."""
        return await self.ledger.thread_answered(self.platform, channel, thread)

    async def cooling(self, channel: str) -> bool:
        """True while the channel's last auto-reply is younger than the cooldown."""
        last = await self.ledger.last_reply(self.platform, channel)
        return last is not None and self.clock() - last < self.cooldown

    async def mark(self, channel: str, thread: str) -> None:
        """Remember that a thread got an answer (any mode), so auto-replies leave it alone."""
        await self.ledger.mark_answered(self.platform, channel, thread, self.clock())

    async def claim(self, channel: str, thread: str) -> bool:
        """Take the right to auto-reply in this thread now; False when answered or cooling."""
        return await self.ledger.claim_reply(self.platform, channel, thread, self.clock(), self.cooldown)


# ---------------------------------------------------------------- text attachments

TEXT_SUFFIXES = (".txt", ".log", ".ips", ".crash")
MAX_FILES = 5


@dataclass(frozen=True, slots=True)
class TextFiles:
    """The policy for files shared with a question: the first :data:`MAX_FILES` files, only
    names ending in :data:`TEXT_SUFFIXES`, at most ``max_bytes`` each, and never binary data.

    Each check returns a note for the asker when a file is left out (None when it is fine).
    """

    max_bytes: int

    def first(self, files: Sequence[F]) -> tuple[list[F], str | None]:
        """The files that are looked at, and a note when there were more."""
        more = f"Only the first {MAX_FILES} files were read." if len(files) > MAX_FILES else None
        return list(files[:MAX_FILES]), more

    def name_note(self, name: str) -> str | None:
        """A note when the file's name is not one of a text file."""
        if name.lower().endswith(TEXT_SUFFIXES):
            return None
        return f"{name} was not read: only {', '.join(TEXT_SUFFIXES)} files are."

    def size_note(self, name: str, size: int) -> str | None:
        """A note when the file (as announced, or as downloaded) is over the limit."""
        return f"{name} was not read: it is larger than {self.max_bytes:,} bytes." if size > self.max_bytes else None

    def read(self, name: str, data: bytes) -> Attachment | str:
        """The downloaded file as the core's Attachment, or the note saying why it was not read."""
        if note := self.size_note(name, len(data)):
            return note
        if looks_binary(data):
            return f"{name} was not read: it is not a text file."
        return Attachment(name, data.decode("utf-8", errors="replace"))


# ---------------------------------------------------------------- reports


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
