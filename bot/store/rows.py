"""Rows to objects and back, and the rule that decides what a file import may change.

Pure functions (no I/O), so the store's transactions stay short and the rule is testable.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.models import Entry, Revision, Stats
from bot.serialize import entry_from_dict, entry_to_dict
from bot.store.base import Progress
from bot.text import storable

log = logging.getLogger(__name__)
IMPORT_OP = "import"


def safe_text(text: str) -> str:
    """Text SQLite can store: lone surrogates (from odd chat input) become U+FFFD, pairs are joined."""
    return storable(text)


def entry_json(entry: Entry) -> str:
    """The canonical JSON of an entry: what the store keeps and compares."""
    return safe_text(json.dumps(entry_to_dict(entry), sort_keys=True, ensure_ascii=False))


def decode_entry(entry_id: str, data: str) -> Entry | None:
    """An entry from its stored JSON, or None (with a warning naming it) when the row is broken."""
    try:
        parsed: Any = json.loads(data)
        return entry_from_dict(parsed)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("stored entry '%s' cannot be read and is skipped: %s: %s", entry_id, type(exc).__name__, exc)
        return None


def decode_revision(row: Sequence[Any]) -> Revision | None:
    """A revision from ``entry_id, rev, data, actor, at, reason, op``; None when its data is broken."""
    entry = None
    if row[2] is not None:
        entry = decode_entry(f"{row[0]}@{row[1]}", row[2])
        if entry is None:
            return None
    return Revision(row[0], int(row[1]), entry, row[3], row[4], row[5], row[6])


@dataclass(frozen=True, slots=True)
class Last:
    """An entry's newest revision: its data (None once deleted), operation and number."""

    data: str | None
    op: str
    rev: int


@dataclass
class ImportPlan:
    """What one file import does, entry by entry."""

    write: list[tuple[Entry, str]] = field(default_factory=list)  # new import revisions
    remember: list[tuple[str, str]] = field(default_factory=list)  # (id, file data) now imported
    conflicts: list[tuple[str, str, int]] = field(default_factory=list)  # (id, file data, chat revision)
    resolved: list[str] = field(default_factory=list)  # conflicts that no longer hold


def plan_import(
    incoming: Sequence[tuple[Entry, str]],
    last: Mapping[str, Last],
    imported: Mapping[str, str],
    theirs: bool = False,
) -> ImportPlan:
    """Decide, per entry read from files, whether the import writes it.

    A file that did not change since the last import never touches the entry, so chat edits
    survive edits to other files. A changed file whose entry was changed in chat (its newest
    revision is not an import) is a conflict: the chat revision stays, unless ``theirs``.
    """
    plan = ImportPlan()
    for entry, data in incoming:
        current = last.get(entry.id)
        if imported.get(entry.id) == data:
            plan.resolved.append(entry.id)
            continue
        if current is not None and current.data == data:
            plan.remember.append((entry.id, data))
            plan.resolved.append(entry.id)
        elif current is not None and current.op != IMPORT_OP and not theirs:
            plan.conflicts.append((entry.id, data, current.rev))
        else:
            plan.write.append((entry, data))
            plan.remember.append((entry.id, data))
            plan.resolved.append(entry.id)
    return plan


async def count_stats(run: Callable[[str], Awaitable[Sequence[Any]]], count: Callable[[str], Awaitable[int]]) -> Stats:
    """The counts behind ``kb stats``, with SQL both backends read the same way (no parameters)."""
    rows = await run("SELECT id, data FROM entries")
    entries = [e for e in (decode_entry(r[0], r[1]) for r in rows) if e is not None]
    top = await run(
        "SELECT top_id, COUNT(*) FROM queries WHERE top_id IS NOT NULL GROUP BY top_id ORDER BY COUNT(*) DESC LIMIT 5"
    )
    reference = sum(1 for e in entries if e.catalog)
    return Stats(
        entries=len(entries),
        curated=len(entries) - reference,
        reference=reference,
        queries=await count("SELECT COUNT(*) FROM queries"),
        answered=await count("SELECT COUNT(*) FROM queries WHERE outcome = 'answer'"),
        feedback_helpful=await count("SELECT COUNT(*) FROM feedback WHERE helpful = 1"),
        feedback_unhelpful=await count("SELECT COUNT(*) FROM feedback WHERE helpful = 0"),
        gaps=await count("SELECT COUNT(*) FROM (SELECT 1 FROM gaps GROUP BY domain, code) AS keys"),
        top_entries=tuple((str(r[0]), int(r[1])) for r in top),
        skipped=len(rows) - len(entries),
        conflicts=await count("SELECT COUNT(*) FROM conflicts"),
    )


CHUNK = 500  # entries encoded between yields to the event loop


async def encode_entries(entries: Sequence[Entry], progress: Progress | None) -> list[tuple[Entry, str]]:
    """Each entry with its canonical JSON, computed before any write transaction so it stays
    short; yields to the event loop every CHUNK entries and reports progress."""
    out = []
    for done, entry in enumerate(entries, 1):
        out.append((entry, entry_json(entry)))
        if done % CHUNK == 0 or done == len(entries):
            if progress is not None:
                progress(done, len(entries))
            await asyncio.sleep(0)
    return out
