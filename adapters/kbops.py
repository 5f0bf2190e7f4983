"""``supportbot kb backup | restore | purge``: operating the database for months."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from adapters.kbcli import ProgressBar, StoreCommand
from bot.curator import Curator
from bot.engine import Engine
from bot.models import SupportBotError
from bot.settings import Settings
from bot.store import backup as sqlite_backup

DatabaseCommand = Callable[[argparse.Namespace, Settings, TextIO], Awaitable[int]]
# Actors are recorded as platform:id (discord:1234, slack:U0123); "cli" asks from the terminal.
USER = re.compile(r"^(?:[a-z]+:\S+|cli)$")


def _database(settings: Settings) -> Path:
    if settings.store.url is not None:
        raise SupportBotError(
            "the store is PostgreSQL ([store] url): back it up with pg_dump and restore with pg_restore"
        )
    if settings.store.path == ":memory:":
        raise SupportBotError("[store] path is ':memory:': there is no database file to back up or restore")
    return Path(settings.store.path)


async def kb_backup(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Copy the database while the bot runs (SQLite's online backup, a snapshot)."""
    progress = ProgressBar("copying pages") if sys.stderr.isatty() else None
    info = await asyncio.to_thread(sqlite_backup.backup, _database(settings), args.path, progress)
    out.write(
        f"backed up to {info.path}: {info.entries} entries, {info.revisions} revisions, "
        f"{info.queries} questions (schema {info.schema_version}, integrity ok)\n"
    )
    return 0


async def kb_restore(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Replace the database with a checked backup; for a stopped bot."""
    db = _database(settings)
    info, kept = await asyncio.to_thread(sqlite_backup.restore, args.path, db)
    out.write(
        f"restored {info.path} into {db}: {info.entries} entries, {info.revisions} revisions, "
        f"{info.queries} questions\n"
    )
    out.write(f"the previous database is kept as {kept}\n" if kept else "there was no database before\n")
    return 0


async def kb_purge(args: argparse.Namespace, engine: Engine, curator: Curator, s: Settings, out: TextIO) -> int:
    """Remove one person's recorded words and id (a request under privacy law, or their wish)."""
    user = args.user.strip()
    if not USER.match(user):
        raise SupportBotError(
            f"'{user}' is not a user as the bot records them: give platform:id, "
            "for example discord:123456789012345678 or slack:U0123ABCD"
        )
    purged = await curator.store.purge_user(user)
    out.write(
        f"purged {user}: text and author of {purged.queries} question(s), {purged.feedback} feedback vote(s), "
        f"{purged.gaps} gap record(s), {purged.review} review record(s)\n"
    )
    if not purged.total:
        out.write("nothing was recorded about that user (or it was purged before)\n")
    return 0


DATABASE_COMMANDS: dict[str, DatabaseCommand] = {"backup": kb_backup, "restore": kb_restore}
STORE_COMMANDS: dict[str, StoreCommand] = {"purge": kb_purge}
