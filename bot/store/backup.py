"""Backups of the SQLite store while the bot runs, and restoring one into a stopped bot's place.

A backup copies the database with SQLite's online backup API, a few pages per step, inside one
read transaction: in WAL mode a reader never blocks the writer, so the bot keeps answering and
logging, and the copy is the database as it was when the backup began (a snapshot, never half of
an import). The copy is written next to its destination, checked, and renamed into place, so a
file at the destination is always a whole backup.

A restore checks the file first (a SQLite database, ``integrity_check`` passes, a schema this
program knows, the tables of that schema exist) and copies it in only then, in one step, after
keeping the current database as ``<db>.before-restore``. It is meant for a stopped bot: a running
one keeps its old knowledge in memory and would go on writing to the restored file.

These are plain (blocking) functions: call them with ``asyncio.to_thread``.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.store.base import StoreError
from bot.store.schema import MIGRATIONS

PAGES_PER_STEP = 256  # 1 MiB at the default page size: each step holds the read lock only briefly
STEP_PAUSE = 0.001  # seconds between steps, so the writer always gets its turn
BEFORE_RESTORE = ".before-restore"
SQLITE_HEADER = b"SQLite format 3\x00"
_TABLE = re.compile(r"CREATE TABLE (\w+)")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a checked database file holds."""

    path: str
    schema_version: int
    entries: int
    revisions: int
    queries: int


def tables_of(version: int) -> set[str]:
    """The tables the migrations up to ``version`` create."""
    return {m.group(1) for step in MIGRATIONS[:version] for s in step if (m := _TABLE.search(s))}


def _connect(path: Path | str, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=10)
    return sqlite3.connect(path, isolation_level=None, timeout=10)


def check_database(path: Path) -> BackupInfo:
    """Check that ``path`` is a sound supportbot database this program can open; StoreError saying
    what is wrong otherwise. Nothing is written."""
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    try:
        db = _connect(path, read_only=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open it: {exc}") from None
    try:
        problems = [str(r[0]) for r in db.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise StoreError(f"{path}: the database is damaged (integrity_check: {'; '.join(problems)})")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version == 0:
            raise StoreError(f"{path}: not a supportbot database (it has no supportbot schema)")
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{path}: schema version {version} is newer than this program knows ({len(MIGRATIONS)}); "
                "upgrade supportbot before restoring it"
            )
        present = {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = sorted(tables_of(version) - present)
        if missing:
            raise StoreError(f"{path}: not a supportbot database (tables missing: {', '.join(missing)})")
        counts = [
            int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in ("entries", "revisions", "queries")
        ]
        return BackupInfo(str(path), version, *counts)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a SQLite database or damaged ({exc})") from None
    finally:
        db.close()


def _copy(source: sqlite3.Connection, dest: Path, pages: int, progress: Callable[[int, int], None] | None) -> None:
    """``source`` into a new file at ``dest``, as one self-contained file (no WAL beside it)."""
    dest.unlink(missing_ok=True)
    # Readable by its owner only, whatever the umask: it holds people's messages and ids.
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    target = _connect(dest)
    try:
        step = None if progress is None else (lambda _status, left, total: progress(total - left, total))
        source.backup(target, pages=pages, progress=step, sleep=STEP_PAUSE)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def backup(db_path: Path, dest: Path, progress: Callable[[int, int], None] | None = None) -> BackupInfo:
    """Copy the live database at ``db_path`` to ``dest`` (replaced if it exists) and check the copy."""
    if not db_path.is_file():
        raise StoreError(f"{db_path}: no such database (has the bot ever run with this configuration?)")
    if dest.resolve() == db_path.resolve():
        raise StoreError("the backup cannot be the database itself")
    if not dest.parent.is_dir():
        raise StoreError(f"{dest.parent}: no such directory")
    partial = dest.with_name(dest.name + ".partial")
    source = _connect(db_path)
    try:
        # One read transaction for the whole copy: every step sees the same snapshot, so writes
        # the bot makes meanwhile neither restart the copy nor end up half in it.
        source.execute("BEGIN")
        source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        _copy(source, partial, PAGES_PER_STEP, progress)
        source.execute("COMMIT")
        info = check_database(partial)
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        raise StoreError(f"backup of {db_path} to {dest} failed: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot write {dest}: {exc.strerror}") from None
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return BackupInfo(str(dest), info.schema_version, info.entries, info.revisions, info.queries)


def _keep_current(db_path: Path) -> Path | None:
    """The current database copied to ``<db>.before-restore`` (None when there is none)."""
    if not db_path.exists():
        return None
    kept = db_path.with_name(db_path.name + BEFORE_RESTORE)
    if kept.exists():
        raise StoreError(f"{kept} exists (from an earlier restore); move it away first, so nothing is lost")
    with db_path.open("rb") as f:
        sqlite_file = f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if sqlite_file:
        try:
            source = _connect(db_path)
            try:
                _copy(source, kept, -1, None)
            finally:
                source.close()
            return kept
        except sqlite3.DatabaseError:
            pass
    # Too damaged to read (often why one restores): keep its bytes, and its WAL's, as they are.
    # (Not opened with SQLite first: it may drop the WAL of a file whose header it cannot read.)
    for src, dst in ((db_path, kept), (Path(f"{db_path}-wal"), Path(f"{kept}-wal"))):
        if src.exists():
            dst.unlink(missing_ok=True)
            os.close(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            shutil.copyfile(src, dst)
    return kept


def _copy_into(source: sqlite3.Connection, db_path: Path) -> None:
    """``source`` over the database at ``db_path``."""
    try:
        target = _connect(db_path)
        try:
            # One step (-1): the destination changes in a single transaction, all or nothing.
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
        return
    except sqlite3.DatabaseError as exc:
        if "not a database" not in str(exc) and "malformed" not in str(exc):
            raise
    # The current file is not a database SQLite can write into (it was kept byte for byte):
    # write the backup beside it and rename it over it, with the old WAL gone so it is never replayed.
    fresh = db_path.with_name(db_path.name + ".restoring")
    _copy(source, fresh, -1, None)
    for stale in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    os.replace(fresh, db_path)


def restore(source: Path, db_path: Path) -> tuple[BackupInfo, Path | None]:
    """Replace the database at ``db_path`` with the checked backup ``source``; returns what was
    restored and where the previous database was kept. For a stopped bot."""
    info = check_database(source)
    if source.resolve() == db_path.resolve():
        raise StoreError("that file is the database itself")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        kept = _keep_current(db_path)
        backup_db = _connect(source, read_only=True)
        try:
            _copy_into(backup_db, db_path)
        finally:
            backup_db.close()
    except sqlite3.Error as exc:
        raise StoreError(f"restore of {source} into {db_path} failed, the database is unchanged: {exc}") from None
    except OSError as exc:
        raise StoreError(f"restore into {db_path} failed: {exc.strerror}") from None
    check_database(db_path)
    return info, kept
