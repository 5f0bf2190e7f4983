"""The ``supportbot`` command line and the composition root.

Settings, store, engine and adapters are built here and nowhere else. Adapters are loaded
by module name only when a command needs them, so the core never imports a platform SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

from bot.engine import Engine
from bot.evaluate import evaluate, format_report, load_cases
from bot.extract import looks_binary
from bot.kbfiles import KnowledgeError, read_knowledge, render_tree, write_tree
from bot.lint import lint_tree
from bot.models import Attachment, Incoming, Match, Mode, SupportBotError
from bot.policy import would_auto_reply
from bot.serialize import entry_to_dict
from bot.settings import Settings, load_settings
from bot.store.base import StoreError
from bot.store.sqlite import SQLiteStore

# Adapters by platform: module path and the settings that must be set to start it.
ADAPTERS = {
    "discord": ("adapters.discord", ("SUPPORTBOT_DISCORD__TOKEN",)),
    "slack": (
        "adapters.slack",
        ("SUPPORTBOT_SLACK__BOT_TOKEN", "SUPPORTBOT_SLACK__APP_TOKEN or SUPPORTBOT_SLACK__SIGNING_SECRET"),
    ),
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="supportbot", description="Answers developer questions from a curated knowledge base."
    )
    p.add_argument("--config", type=Path, help="TOML settings file (default: $SUPPORTBOT_CONFIG)")
    sub = p.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question or pasted error")
    ask.add_argument("text", nargs="?", help="the question; '-' reads standard input")
    ask.add_argument("--json", action="store_true", help="print JSON (the design's interface)")
    ask.add_argument("--batch", action="store_true", help='read JSON lines {"id","text"} from stdin')
    ask.add_argument("--file", type=Path, action="append", default=[], help="attach a log or crash report")
    ask.add_argument(
        "--store",
        choices=("memory", "db"),
        default="memory",
        help="memory: fresh import of knowledge/ (default); db: the configured database",
    )

    ev = sub.add_parser("eval", help="measure the knowledge base on labelled questions")
    ev.add_argument("files", nargs="+", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--store", choices=("memory", "db"), default="memory")

    sub.add_parser("console", help="a terminal help channel: see what the bot would post")
    sub.add_parser("run", help="start the configured Discord and Slack adapters")

    kb = sub.add_parser("kb", help="knowledge-base administration").add_subparsers(dest="kb_command", required=True)
    imp = kb.add_parser("import", help="import knowledge files into the database (idempotent)")
    imp.add_argument("path", nargs="?", type=Path)
    imp.add_argument("--actor", default="cli")
    exp = kb.add_parser("export", help="write the database back out as knowledge files")
    exp.add_argument("--out", type=Path, help="directory (default: the configured knowledge directory)")
    exp.add_argument("--format", choices=("files", "jsonl"), default="files")
    lint = kb.add_parser("lint", help="check knowledge files (CI runs this)")
    lint.add_argument("path", nargs="?", type=Path)
    fmt = kb.add_parser("fmt", help="rewrite knowledge files in canonical form")
    fmt.add_argument("path", nargs="?", type=Path)
    kb.add_parser("list", help="list entries")
    show = kb.add_parser("show", help="show one entry")
    show.add_argument("id")
    hist = kb.add_parser("history", help="revisions of one entry")
    hist.add_argument("id")
    rev = kb.add_parser("revert", help="make an old revision current again")
    rev.add_argument("id")
    rev.add_argument("rev", type=int)
    rev.add_argument("--actor", default="cli")
    kb.add_parser("stats", help="counts of entries, queries, feedback and gaps")
    gaps = kb.add_parser("gaps", help="codes and questions nothing answered")
    gaps.add_argument("--limit", type=int, default=20)
    why = kb.add_parser("why", help="the ranking and the reasons behind it")
    why.add_argument("text")

    dc = sub.add_parser("discord", help="Discord helpers").add_subparsers(dest="discord_command", required=True)
    dc.add_parser("invite-url", help="print the invite link with the scopes and permissions the bot needs")
    return p


@asynccontextmanager
async def open_engine(settings: Settings, memory: bool = False) -> AsyncIterator[Engine]:
    """Store + engine, started; ``memory`` uses a fresh in-memory import of knowledge/."""
    store = SQLiteStore(":memory:" if memory else settings.store.path, timeout=settings.store.busy_timeout)
    await store.open()
    try:
        engine = Engine(store, settings.knowledge.path, settings.engine)
        for warning in await engine.start(import_on_start=memory or settings.knowledge.import_on_start):
            print(f"warning: {warning}", file=sys.stderr)
        yield engine
    finally:
        await store.close()


def load_adapter(name: str) -> Any:
    """Import an adapter module by name (keeps platform SDKs out of the core's imports)."""
    return importlib.import_module(name)


def read_attachments(paths: list[Path]) -> tuple[Attachment, ...]:
    out = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SupportBotError(f"cannot read {path}: {exc.strerror}") from None
        if looks_binary(data):
            raise SupportBotError(f"{path} looks like a binary file, not a text log or crash report")
        out.append(Attachment(path.name, data.decode("utf-8", errors="replace")))
    return tuple(out)


def matches_json(matches: tuple[Match, ...]) -> list[dict[str, Any]]:
    """Matches in the shape design.md gives for ``ask --json``."""
    out = []
    for m in matches:
        d = entry_to_dict(m.entry)
        out.append(
            {
                "id": m.entry.id,
                "kind": m.entry.kind,
                "title": m.entry.title,
                "confidence": m.confidence,
                "errors": [{k: e[k] for k in ("domain", "code", "symbol")} for e in d["errors"]],
                "links": d["links"],
                "why": list(m.why),
            }
        )
    return out


async def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with open_engine(settings, memory=args.store == "memory") as engine:
        if args.batch:
            return await _ask_batch(engine, out)
        text = sys.stdin.read() if args.text in (None, "-") else args.text
        attachments = read_attachments(args.file)
        if not text.strip() and not attachments:
            raise SupportBotError("nothing to ask: give a question, '-' for standard input, or --file")
        answer = await engine.answer(Incoming(text, Mode.CLI, attachments=attachments, author="cli"))
        assert answer is not None  # explicit asks always answer
        if args.json:
            notes = [*answer.notes, answer.unknown_note] if answer.unknown_note else list(answer.notes)
            data = {
                "matches": matches_json(answer.matches),
                "auto_reply": answer.auto_reply,
                "outcome": answer.outcome.value,
                "notes": notes,
            }
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(load_adapter("adapters.console").render_text(answer) + "\n")
        return 0


async def _ask_batch(engine: Engine, out: TextIO) -> int:
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, text = item["id"], str(item["text"])
        except (ValueError, KeyError, TypeError) as exc:
            out.write(json.dumps({"line": number, "error": f"not a JSON object with id and text ({exc})"}) + "\n")
            continue
        start = time.perf_counter()
        _, result = engine.search(text)
        elapsed = (time.perf_counter() - start) * 1000
        auto = would_auto_reply(result, engine.policy)
        row = {"id": qid, "matches": matches_json(result.matches), "auto_reply": auto, "elapsed_ms": round(elapsed, 3)}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


async def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    cases = load_cases(args.files)
    async with open_engine(settings, memory=args.store == "memory") as engine:
        report = evaluate(engine, cases)
    if args.json:
        out.write(json.dumps({**report.summary(), "failures": report.failures}, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_report(report) + "\n")
    return 0


async def cmd_kb(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    root = settings.knowledge.path
    if args.kb_command == "lint":
        problems = lint_tree(args.path or root)
        for p in problems:
            out.write(p + "\n")
        out.write(f"{len(problems)} problem(s)\n" if problems else "knowledge base OK\n")
        return 1 if problems else 0
    if args.kb_command == "fmt":
        target = args.path or root
        ks = read_knowledge(target)
        written, _ = write_tree(target, ks.entries)
        out.write(f"{written} file(s) rewritten\n")
        return 0
    async with open_engine(settings) as engine:
        return await _kb_store_command(args, engine, root, out)


async def _kb_store_command(args: argparse.Namespace, engine: Engine, root: Path, out: TextIO) -> int:
    cmd = args.kb_command
    if cmd == "import":
        path = args.path or root
        report = await engine.import_tree(path, actor=args.actor, progress=ProgressBar("importing"))
        out.write(f"read {report.read} entries, {report.changed} new or changed\n")
    elif cmd == "export":
        if args.format == "jsonl":
            for entry in await engine.list_entries():
                out.write(json.dumps(entry_to_dict(entry), ensure_ascii=False) + "\n")
        else:
            target = args.out or root
            written, removed = write_tree(target, await engine.list_entries())
            out.write(f"{written} file(s) written, {removed} removed in {target}\n")
    elif cmd == "list":
        for entry in await engine.list_entries():
            if not entry.catalog:
                out.write(f"{entry.id}\t{entry.kind}\t{entry.title}\n")
    elif cmd == "show":
        entry = await engine.get_entry(args.id)
        out.write(
            render_tree([entry]).popitem()[1]
            if not entry.catalog
            else json.dumps(entry_to_dict(entry), indent=2) + "\n"
        )
    elif cmd == "history":
        for r in await engine.history(args.id):
            out.write(f"{r.rev}\t{r.at}\t{r.op}\t{r.actor}\t{r.reason}\n")
    elif cmd == "revert":
        r = await engine.revert(args.id, args.rev, actor=args.actor)
        out.write(f"{args.id} is now revision {r.rev} (content of revision {args.rev})\n")
    elif cmd == "stats":
        s = await engine.stats()
        out.write(
            f"entries {s.entries} (curated {s.curated}, catalog {s.reference})\nqueries {s.queries}, answered {s.answered}\n"
            f"feedback helpful {s.feedback_helpful}, not helpful {s.feedback_unhelpful}\ngaps {s.gaps}\n"
        )
    elif cmd == "gaps":
        for g in await engine.gaps(args.limit):
            key = f"{g.domain or '?'} {g.code}" if g.code is not None else "(no code)"
            out.write(f"{g.count}\t{key}\t{g.last_seen}\t{g.text[:80]!r}\n")
    elif cmd == "why":
        for m in await engine.why(args.text):
            out.write(f"{m.confidence:.2f}  {m.entry.id}\n" + "".join(f"      - {w}\n" for w in m.why))
    return 0


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


async def cmd_run(settings: Settings, out: TextIO) -> int:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    configured = []
    if settings.discord.token:
        configured.append("discord")
    if settings.slack.bot_token and (settings.slack.app_token or settings.slack.signing_secret):
        configured.append("slack")
    if not configured:
        lines = ["no adapter is configured; set at least one of:"]
        lines += [f"  {name}: {', '.join(env)}" for name, (_, env) in ADAPTERS.items()]
        print("\n".join(lines), file=sys.stderr)
        return 2
    async with open_engine(settings) as engine:
        runners: list[Awaitable[None]] = []
        for name in configured:
            module = load_adapter(ADAPTERS[name][0])
            runners.append(module.run(settings, engine, engine))
        await asyncio.gather(*runners)
    return 0


async def cmd_console(settings: Settings) -> int:
    async with open_engine(settings) as engine:
        await load_adapter("adapters.console").run_console(engine, sys.stdin, sys.stdout)
    return 0


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``supportbot`` command; returns the exit status."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        handlers: dict[str, Callable[[], Coroutine[Any, Any, int]]] = {
            "ask": lambda: cmd_ask(args, settings, out),
            "eval": lambda: cmd_eval(args, settings, out),
            "kb": lambda: cmd_kb(args, settings, out),
            "run": lambda: cmd_run(settings, out),
            "console": lambda: cmd_console(settings),
        }
        if args.command == "discord":
            out.write(load_adapter("adapters.discord").invite_url(settings) + "\n")
            return 0
        return asyncio.run(handlers[args.command]())
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (SupportBotError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (for example `| head`); stop quietly like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())
