"""The ``supportbot`` command line and the one composition root.

Settings, store, engine, curator and adapters are built here and nowhere else, with static
imports: the terminal is an adapter like Discord and Slack.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import adapters.discord
import adapters.slack
import adapters.web
from adapters import console, kbcli, kbops
from adapters.cliargs import build_parser
from adapters.http import HttpServer, succeeds
from adapters.jsonout import ask_json, batch_lines
from adapters.runtime import Service, serve
from bot.curator import Curator, assemble
from bot.engine import Engine
from bot.evaluate import evaluate, format_report, load_cases
from bot.extract import looks_binary
from bot.knowledge.errors import KnowledgeError
from bot.logs import configure_logging, secrets_of
from bot.metrics import Metrics
from bot.models import Attachment, Incoming, Mode, SupportBotError
from bot.privacy import purge_expired
from bot.reload import KnowledgeWatcher
from bot.review import ReviewQueue
from bot.settings import Settings, load_settings
from bot.store import open_store, store_for_url
from bot.store.base import Store, StoreError
from bot.weblinks import LoginLinks

# What the short answer says at its end about the rest of the entry.
FULL_HINT = "the whole entry: the same command with --full"


@dataclass(frozen=True, slots=True)
class Core:
    """What every command works on: the store, the engine that reads it, the curator that writes it."""

    store: Store
    engine: Engine
    curator: Curator


@asynccontextmanager
async def open_core(settings: Settings, memory: bool = False, metrics: Metrics | None = None) -> AsyncIterator[Core]:
    """Store, engine and curator, started; ``memory`` uses a fresh in-memory import of knowledge/."""
    store = open_store(settings.store, memory)
    await store.open()
    try:
        engine, curator = assemble(store, settings.knowledge.path, settings.engine, metrics)
        for warning in await curator.start(import_on_start=memory or settings.knowledge.import_on_start):
            print(f"warning: {warning}", file=sys.stderr)
        yield Core(store, engine, curator)
    finally:
        await store.close()


def read_attachments(paths: list[Path]) -> tuple[Attachment, ...]:
    """Files given with ``--file``, refused when unreadable or binary."""
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


async def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with open_core(settings, memory=args.store == "memory") as core:
        if args.batch:
            for row in batch_lines(core.engine, sys.stdin.buffer):
                out.write(row + "\n")
            return 0
        text = sys.stdin.read() if args.text in (None, "-") else args.text
        attachments = read_attachments(args.file)
        if not text.strip() and not attachments:
            raise SupportBotError("nothing to ask: give a question, '-' for standard input, or --file")
        answer = await core.engine.answer(Incoming(text, Mode.CLI, attachments=attachments, author="cli"))
        assert answer is not None  # explicit asks always answer
        if args.json:
            out.write(ask_json(answer))
        else:
            out.write(console.render_text(answer, full=args.full, more=FULL_HINT) + "\n")
        return 0


async def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    cases = load_cases(args.files)
    async with open_core(settings, memory=args.store == "memory") as core:
        report = evaluate(core.engine, cases)
    if args.json:
        failures = {} if args.summary else {"failures": report.failures}
        out.write(json.dumps({**report.summary(), **failures}, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_report(report, failures=not args.summary) + "\n")
    return 0


async def cmd_kb(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if args.kb_command in kbcli.FILE_COMMANDS:
        return kbcli.FILE_COMMANDS[args.kb_command](args, settings.knowledge.path, out)
    if args.kb_command == "migrate":
        return await kb_migrate(args, settings, out)
    if args.kb_command in kbops.DATABASE_COMMANDS:  # the file itself: no store opened
        return await kbops.DATABASE_COMMANDS[args.kb_command](args, settings, out)
    async with open_core(settings) as core:
        return await {**kbcli.STORE_COMMANDS, **kbops.STORE_COMMANDS}[args.kb_command](
            args, core.engine, core.curator, settings, out
        )


async def kb_migrate(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Copy every table from one database to another (empty) one and compare the row counts."""
    source = store_for_url(args.source, settings.store.busy_timeout)
    target = store_for_url(args.target, settings.store.busy_timeout)
    from bot.store.copy import copy_store  # needs asyncpg: loaded only for this command

    await source.open()
    try:
        await target.open()
        try:
            counts = await copy_store(source, target)
        finally:
            await target.close()
    finally:
        await source.close()
    for table, (before, after) in counts.items():
        out.write(f"{table:16} {before:8} -> {after}\n")
    out.write("every row copied; counts match\n")
    return 0


def discord_service(settings: Settings, engine: Engine, curator: Curator) -> Service:
    return adapters.discord.DiscordAdapter(settings, engine, curator)


def slack_service(settings: Settings, engine: Engine, curator: Curator) -> Service:
    from adapters.slack.app import SlackBot  # Bolt loads only when Slack is configured

    return SlackBot(settings.slack, engine, curator)


# Each chat adapter says itself whether it is configured: (name, what is missing, its service).
PLATFORMS = (
    ("discord", adapters.discord.missing_settings, discord_service),
    ("slack", adapters.slack.missing_settings, slack_service),
)


async def cmd_run(settings: Settings, out: TextIO) -> int:
    configure_logging(
        settings.log_level, settings.log_format, secrets=secrets_of(settings), message_text=settings.log_message_text
    )
    configured = [(name, run) for name, missing, run in PLATFORMS if not missing(settings)]
    if not configured:
        lines = ["no adapter is configured; set at least one of:"]
        lines += [f"  {name}: {missing(settings)}" for name, missing, _ in PLATFORMS]
        print("\n".join(lines), file=sys.stderr)
        return 2
    metrics = Metrics()
    server = HttpServer(settings.http.host, settings.http.port, metrics)
    async with open_core(settings, metrics=metrics) as core:
        # A cheap query: stats() scans whole tables and health is polled every few seconds.
        server.add_check("store", succeeds(lambda: core.engine.gaps(1), "store"))
        services = [make(settings, core.engine, core.curator) for _, make in configured]
        for service in services:
            server.add_check(service.name, service.health)
            if settings.http.enabled:
                service.mount(server)
        # Retention is applied where the bot runs (now, then daily), not in every command's start-up.
        await purge_expired(core.store, settings.store.retention_days)
        watcher = KnowledgeWatcher(core.store, core.engine)
        await watcher.listen()  # PostgreSQL: woken by NOTIFY; SQLite: polling only
        await watcher.check()  # note the version the engine was just built from
        async with contextlib.AsyncExitStack() as serving:
            if settings.http.enabled:
                await serving.enter_async_context(server)
            if settings.web.enabled:
                await serving.enter_async_context(web_dashboard(settings, core))
            await serve(services, [watcher.run(), purge_daily(core.store, settings.store.retention_days)])
    return 0


async def purge_daily(store: Store, retention_days: int) -> None:
    """Apply the retention period once a day while the bot runs (it was applied at start)."""
    while True:
        await asyncio.sleep(24 * 3600)
        await purge_expired(store, retention_days)


def web_dashboard(settings: Settings, core: Core) -> contextlib.AbstractAsyncContextManager[int]:
    """The dashboard over ``core``, with the review queue."""
    return adapters.web.dashboard(settings, core.engine, core.curator, review=ReviewQueue(core.engine, core.curator))


async def cmd_web(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with open_core(settings) as core:
        if args.web_command == "login-url":
            link = await LoginLinks(core.store, settings.web).issue(args.actor)
            out.write(f"{link}\n")
            return 0
        configure_logging(settings.log_level, settings.log_format, secrets=secrets_of(settings))
        async with web_dashboard(settings, core) as port:
            print(
                f"dashboard on http://{settings.web.host}:{port}; sign in: supportbot web login-url --actor NAME",
                file=sys.stderr,
            )
            await asyncio.Event().wait()
    return 0


async def cmd_console(settings: Settings, out: TextIO) -> int:
    async with open_core(settings) as core:
        await console.run_console(core.engine, core.curator, sys.stdin, out)
    return 0


def _dispatch(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if args.command == "discord":
        out.write(adapters.discord.invite_url(settings) + "\n")
        return 0
    commands: dict[str, Callable[[], Awaitable[int]]] = {
        "ask": lambda: cmd_ask(args, settings, out),
        "eval": lambda: cmd_eval(args, settings, out),
        "kb": lambda: cmd_kb(args, settings, out),
        "run": lambda: cmd_run(settings, out),
        "console": lambda: cmd_console(settings, out),
        "web": lambda: cmd_web(args, settings, out),
    }
    return asyncio.run(_awaited(commands[args.command]()))


async def _awaited(job: Awaitable[int]) -> int:
    return await job


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``supportbot`` command; returns the exit status."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args, load_settings(args.config), out)
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


if __name__ == "__main__":
    main_exit()
