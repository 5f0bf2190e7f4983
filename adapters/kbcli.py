"""``supportbot kb ...``: knowledge-base administration at the terminal."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot import reports
from bot.curator import Curator, conflict_warning
from bot.engine import Engine
from bot.knowledge.entryfile import parse_entry_bytes, render_entry
from bot.knowledge.tree import read_knowledge, write_tree
from bot.lint import lint_tree
from bot.models import Entry, ReviewScope, SupportBotError
from bot.review import ReviewQueue
from bot.serialize import entry_to_dict
from bot.settings import Settings

FileCommand = Callable[[argparse.Namespace, Path, TextIO], int]
StoreCommand = Callable[[argparse.Namespace, Engine, Curator, Settings, TextIO], Awaitable[int]]


def kb_lint(args: argparse.Namespace, root: Path, out: TextIO) -> int:
    problems = lint_tree(args.path or root)
    for p in problems:
        out.write(p + "\n")
    out.write(f"{len(problems)} problem(s)\n" if problems else "knowledge base OK\n")
    return 1 if problems else 0


def kb_fmt(args: argparse.Namespace, root: Path, out: TextIO) -> int:
    target = args.path or root
    written, _ = write_tree(target, read_knowledge(target).entries)
    out.write(f"{written} file(s) rewritten\n")
    return 0


async def kb_import(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    path = args.path or s.knowledge.path
    progress = ProgressBar("importing") if sys.stderr.isatty() else None
    report = await curator.import_tree(path, actor=args.actor, progress=progress, theirs=args.theirs)
    out.write(f"read {report.read} entries, {report.changed} new or changed\n")
    if report.conflicts:
        out.write(f"CONFLICT: {conflict_warning(report.conflicts)}\n")
        return 1
    return 0


async def kb_status(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    status = await curator.store.sync_status()
    if status.chat_edits:
        out.write("Changed in chat, not yet in the files (run 'supportbot kb export', then commit):\n")
        for e in status.chat_edits:
            out.write(f"  {e.op}:\t{e.entry_id}\t(revision {e.rev} by {e.actor}, {e.at})\n")
    if status.conflicts:
        out.write(
            "Conflicts: changed in chat and in the files; the chat version is kept\n"
            "  ('kb export' keeps the chat versions, 'kb import --theirs' takes the files):\n"
        )
        for c in status.conflicts:
            out.write(f"  both changed:\t{c.entry_id}\t(chat revision {c.chat_rev}, file seen {c.at})\n")
    if not status.chat_edits and not status.conflicts:
        out.write("nothing changed in chat since the last import or export; no conflicts\n")
    return 0


async def kb_export(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    if args.format == "jsonl":
        for entry in await engine.list_entries():
            out.write(json.dumps(entry_to_dict(entry), ensure_ascii=False) + "\n")
        return 0
    target = args.out or s.knowledge.path
    written, removed = await curator.export_tree(target)
    out.write(f"{written} file(s) written, {removed} removed in {target}\n")
    return 0


async def kb_list(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    for entry in await engine.list_entries():
        if not entry.catalog:
            out.write(f"{entry.id}\t{entry.kind}\t{entry.title}\n")
    return 0


async def kb_show(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    entry = await engine.get_entry(args.id)
    out.write(render_entry(entry) if not entry.catalog else json.dumps(entry_to_dict(entry), indent=2) + "\n")
    return 0


async def kb_history(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    _rows(reports.history_report(args.id, await engine.history(args.id)), out)
    return 0


async def kb_revert(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    r = await curator.revert(args.id, args.rev, actor=args.actor)
    out.write(f"{args.id} is now revision {r.rev} (content of revision {args.rev})\n")
    return 0


async def kb_stats(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    _rows(reports.stats_report(await engine.stats()), out)
    return 0


async def kb_gaps(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    _rows(reports.gaps_report(await engine.gaps(args.limit)), out)
    return 0


async def kb_why(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    _rows(reports.why_report(await engine.why(args.text)), out)
    return 0


async def kb_review(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    """The review queue (everything: the terminal sees every server), or one action on an item."""
    queue = ReviewQueue(engine, curator)
    action = getattr(args, "review_command", None)
    if action == "dismiss":
        await queue.dismiss(args.id, args.actor, args.reason)
        out.write(f"dismissed review item #{args.id}\n")
    elif action == "teach":
        rev = await queue.teach(args.id, args.entry, args.actor, args.what)
        out.write(f"{args.entry} is now revision {rev.rev} ({rev.reason})\n")
    elif action == "draft":
        out.write(render_entry(await queue.draft_entry(args.id)))
    elif action == "create":
        entry = parse_entry_file_at(args.file)
        rev = await queue.create(args.id, entry, args.actor)
        out.write(f"added {entry.id} (revision {rev.rev}) for review item #{args.id}\n")
    else:
        _rows(reports.review_report(await queue.items(ReviewScope.everything(), args.limit)), out)
    return 0


def parse_entry_file_at(path: Path) -> Entry:
    """An entry file given on the command line (any name: a draft need not be named by its id)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SupportBotError(f"cannot read {path}: {exc.strerror}") from None
    return parse_entry_bytes(data, str(path))


def _rows(report: reports.Report, out: TextIO) -> None:
    """A report as tab-separated rows (details indented under their row), for scripts and people."""
    if not report.rows:
        out.write(report.empty + "\n")
    for row in report.rows:
        out.write("\t".join(row.cells) + "\n" + "".join(f"      - {d}\n" for d in row.details))


FILE_COMMANDS: dict[str, FileCommand] = {"lint": kb_lint, "fmt": kb_fmt}
STORE_COMMANDS: dict[str, StoreCommand] = {
    "import": kb_import,
    "status": kb_status,
    "export": kb_export,
    "list": kb_list,
    "show": kb_show,
    "history": kb_history,
    "revert": kb_revert,
    "stats": kb_stats,
    "gaps": kb_gaps,
    "why": kb_why,
    "review": kb_review,
}


class ProgressBar:
    """A progress bar for long imports, on stderr so stdout stays clean for scripts."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {time.perf_counter() - self.start:.1f}s{end}")
        self.stream.flush()
