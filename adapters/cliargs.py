"""The ``supportbot`` argument parser. Global options are accepted before or after the subcommand."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

# Revision numbers and limits are stored as 64-bit integers; a bigger number is a typo.
INT_MAX = 2**63 - 1


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, with a clear message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {high})")
        return value

    parse.__name__ = "number"
    return parse


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    # In subcommands the default is SUPPRESS, so a subcommand without --config keeps the value
    # given before it ("supportbot --config X run" and "supportbot run --config X" both work).
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", type=Path, default=default, help="TOML settings file (default: $SUPPORTBOT_CONFIG)")


class _Sub:
    """Adds subparsers that all carry the global options."""

    def __init__(self, action: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        self.action = action

    def add(self, name: str, help: str) -> argparse.ArgumentParser:
        parser = self.action.add_parser(name, help=help)
        _global_options(parser, suppress=True)
        return parser


def _ask(sub: _Sub) -> None:
    ask = sub.add("ask", "answer a question or pasted error")
    ask.add_argument("text", nargs="?", help="the question; '-' reads standard input")
    ask.add_argument("--json", action="store_true", help="print JSON (the design's interface)")
    ask.add_argument("--full", action="store_true", help="print the whole entry, not the short answer")
    ask.add_argument("--batch", action="store_true", help='read JSON lines {"id","text"} from stdin')
    ask.add_argument("--file", type=Path, action="append", default=[], help="attach a log or crash report")
    ask.add_argument(
        "--store",
        choices=("memory", "db"),
        default="memory",
        help="memory: fresh import of knowledge/ (default); db: the configured database",
    )
    ev = sub.add("eval", "measure the knowledge base on labelled questions")
    ev.add_argument("files", nargs="+", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--store", choices=("memory", "db"), default="memory")
    ev.add_argument(
        "--summary", action="store_true", help="figures only, no per-line failures (for a held-out set: keep it unseen)"
    )


def _kb(sub: _Sub) -> None:
    kb = _Sub(sub.add("kb", "knowledge-base administration").add_subparsers(dest="kb_command", required=True))
    imp = kb.add("import", "import knowledge files into the database (idempotent)")
    imp.add_argument("path", nargs="?", type=Path)
    imp.add_argument("--actor", default="cli")
    imp.add_argument(
        "--theirs", action="store_true", help="for entries changed both in chat and in the files, take the files"
    )
    mig = kb.add("migrate", "copy a whole database into another, empty one (SQLite to PostgreSQL), counts checked")
    mig.add_argument("--from", dest="source", required=True, help="sqlite:///path/to/supportbot.db")
    mig.add_argument("--to", dest="target", required=True, help="postgresql://user:password@host/database")
    kb.add("status", "entries changed in chat and not yet exported, and conflicts (like git status)")
    exp = kb.add("export", "write the database back out as knowledge files")
    exp.add_argument("--out", type=Path, help="directory (default: the configured knowledge directory)")
    exp.add_argument("--format", choices=("files", "jsonl"), default="files")
    kb.add("lint", "check knowledge files (CI runs this)").add_argument("path", nargs="?", type=Path)
    kb.add("fmt", "rewrite knowledge files in canonical form").add_argument("path", nargs="?", type=Path)
    kb.add("list", "list entries")
    kb.add("show", "show one entry").add_argument("id")
    kb.add("history", "revisions of one entry").add_argument("id")
    rev = kb.add("revert", "make an old revision current again")
    rev.add_argument("id")
    rev.add_argument("rev", type=bounded_int(1, INT_MAX))
    rev.add_argument("--actor", default="cli")
    kb.add("stats", "counts of entries, queries, feedback and gaps")
    kb.add("gaps", "codes and questions nothing answered").add_argument(
        "--limit", type=bounded_int(1, 10_000), default=20
    )
    kb.add("why", "the ranking and the reasons behind it").add_argument("text")
    _review(kb)
    _operate(kb)


def _operate(kb: _Sub) -> None:
    kb.add("backup", "copy the database to PATH while the bot runs (a consistent snapshot)").add_argument(
        "path", type=Path
    )
    kb.add(
        "restore", "replace the database with a backup (stop the bot first; the old one is kept as *.before-restore)"
    ).add_argument("path", type=Path)
    kb.add("purge", "remove one person's recorded messages and id").add_argument(
        "--user", required=True, help="as recorded: platform:id, e.g. discord:123456789012345678 or slack:U0123ABCD"
    )


def _review(kb: _Sub) -> None:
    review = kb.add("review", "what the bot missed, grouped (list; dismiss, teach, draft, create)")
    review.add_argument("--limit", type=bounded_int(1, 500), default=20)
    acts = _Sub(review.add_subparsers(dest="review_command"))
    dismiss = acts.add("dismiss", "take an item off the queue (off-topic, noise)")
    dismiss.add_argument("id", type=bounded_int(1, INT_MAX))
    dismiss.add_argument("--reason", required=True)
    dismiss.add_argument("--actor", default="cli")
    teach = acts.add("teach", "add the item's phrase or error key to an existing entry")
    teach.add_argument("id", type=bounded_int(1, INT_MAX))
    teach.add_argument("entry")
    teach.add_argument("--as", dest="what", choices=("alias", "pattern", "error"), default="alias")
    teach.add_argument("--actor", default="cli")
    acts.add("draft", "print a new entry file prefilled from the item").add_argument("id", type=bounded_int(1, INT_MAX))
    create = acts.add("create", "add an entry file (an edited draft) as a new entry for the item")
    create.add_argument("id", type=bounded_int(1, INT_MAX))
    create.add_argument("file", type=Path)
    create.add_argument("--actor", default="cli")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    p = argparse.ArgumentParser(
        prog="supportbot", description="Answers developer questions from a curated knowledge base."
    )
    _global_options(p, suppress=False)
    sub = _Sub(p.add_subparsers(dest="command", required=True))
    _ask(sub)
    sub.add("console", "a terminal help channel: see what the bot would post")
    sub.add("run", "start the configured Discord and Slack adapters")
    _kb(sub)
    web = _Sub(sub.add("web", "serve the web dashboard ([web] host and port)").add_subparsers(dest="web_command"))
    web.add("login-url", "print a one-time sign-in link for the dashboard (valid 10 minutes)").add_argument(
        "--actor", required=True, help="who signs in; recorded with every change as web:ACTOR"
    )
    dc = _Sub(sub.add("discord", "Discord helpers").add_subparsers(dest="discord_command", required=True))
    dc.add("invite-url", "print the invite link with the scopes and permissions the bot needs")
    return p
