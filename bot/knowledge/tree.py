"""A knowledge directory as a whole: read, render, write, digest, and uploaded file sets.

Reading collects every problem with its file and line before anything is used, so a bad
file never leads to a half-done import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bot.domains import DomainTable, load_domains
from bot.knowledge.catalog import parse_catalog_bytes, render_catalog
from bot.knowledge.entryfile import parse_entry_bytes, render_entry
from bot.knowledge.errors import KnowledgeError
from bot.models import Entry, SupportBotError

# The parts of a tree that hold entries, and the file suffix each takes.
ENTRY_DIRS = {"entries": ".md", "catalog": ".tsv"}
DIGESTED = {".md", ".tsv", ".toml", ".txt"}


@dataclass
class KnowledgeSet:
    """Everything read from a knowledge directory (or an uploaded set of files)."""

    entries: list[Entry]
    domains: DomainTable
    hosts: frozenset[str]
    files: dict[str, str] = field(default_factory=dict)  # entry id -> 'file:line' it came from


def entry_paths(files: Mapping[str, bytes]) -> None:
    """Refuse any path that is not ``entries/<id>.md`` or ``catalog/<name>.tsv``."""
    for rel in files:
        parts = PurePosixPath(rel).parts
        if len(parts) != 2 or ENTRY_DIRS.get(parts[0]) != PurePosixPath(rel).suffix or parts[1].startswith("."):
            raise SupportBotError(f"'{rel}': only entries/<id>.md and catalog/<name>.tsv files can be imported")


def parse_files(files: Mapping[str, bytes], prefix: str = "") -> tuple[list[Entry], dict[str, str], list[str]]:
    """Entries from relative path -> bytes (paths already checked), with where each came from
    (``file:line``) and every problem found. ``prefix`` is prepended to paths in messages."""
    entries: list[Entry] = []
    where: dict[str, str] = {}
    problems: list[str] = []
    for rel in sorted(files):
        path = PurePosixPath(rel)
        name = f"{prefix}{rel}"
        try:
            if path.parts[0] == "entries":
                found = [(1, parse_entry_bytes(files[rel], name, expected_id=path.stem))]
            else:
                found = parse_catalog_bytes(files[rel], name, path.stem)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        for line, entry in found:
            if entry.id in where:
                what = "id" if line == 1 and path.parts[0] == "entries" else "row"
                problems.append(f"{name}:{line}: duplicate {what} '{entry.id}' (also in {where[entry.id]})")
                continue
            entries.append(entry)
            where[entry.id] = f"{name}:{line}"
    return entries, where, problems


def _read_entry_files(root: Path, problems: list[str]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for sub, suffix in ENTRY_DIRS.items():
        for path in sorted((root / sub).glob(f"*{suffix}")):
            if not path.is_file():
                problems.append(f"{path}:1: not a regular file")
                continue
            try:
                files[f"{sub}/{path.name}"] = path.read_bytes()
            except OSError as exc:
                problems.append(f"{path}:1: cannot read ({exc.strerror})")
    return files


def read_knowledge(root: Path) -> KnowledgeSet:
    """Read a knowledge directory, raising :class:`KnowledgeError` listing every problem."""
    if not root.is_dir():
        raise SupportBotError(f"knowledge directory not found: {root}")
    problems: list[str] = []
    try:
        domains = load_domains(root / "domains.toml")
    except SupportBotError as exc:
        problems.append(str(exc))
        domains = DomainTable((), {}, ())
    try:
        hosts = read_hosts(root / "hosts.txt")
    except SupportBotError as exc:
        problems.append(str(exc))
        hosts = frozenset()
    files = _read_entry_files(root, problems)
    entries, where, more = parse_files(files, prefix=f"{root}/")
    problems += more
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeSet(entries, domains, hosts, where)


def read_uploaded(files: Mapping[str, bytes], domains: DomainTable, hosts: frozenset[str]) -> KnowledgeSet:
    """Entries from files received in chat; domain data and hosts come from the caller."""
    entry_paths(files)
    entries, where, problems = parse_files(files)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeSet(entries, domains, hosts, where)


def read_hosts(path: Path) -> frozenset[str]:
    """The link host allow-list (one host a line, ``#`` comments); empty when absent."""
    if not path.is_file():
        return frozenset()
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise SupportBotError(f"{path}:1: not UTF-8 text ({exc.reason})") from None
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.lstrip().startswith("#"))


def render_tree(entries: list[Entry]) -> dict[str, str]:
    """Relative path -> file text for every entry (curated files and catalog tables)."""
    files: dict[str, str] = {}
    tables: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.catalog:
            tables.setdefault(entry.catalog, []).append(entry)
        else:
            files[f"entries/{entry.id}.md"] = render_entry(entry)
    for name, rows in tables.items():
        files[f"catalog/{name}.tsv"] = render_catalog(rows)
    return files


def write_tree(root: Path, entries: list[Entry]) -> tuple[int, int]:
    """Mirror ``entries`` into ``root``: write changed files, remove files of deleted entries.

    Returns (files written, files removed). Files whose bytes would not change are left alone.
    """
    wanted = render_tree(entries)
    written = removed = 0
    for rel, text in wanted.items():
        path = root / rel
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    for sub, suffix in ENTRY_DIRS.items():
        for path in (root / sub).glob(f"*{suffix}"):
            if f"{sub}/{path.name}" not in wanted and path.is_file():
                path.unlink()
                removed += 1
    return written, removed


def tree_digest(root: Path) -> str:
    """A digest of every knowledge file, to notice when the files changed since the last import."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in DIGESTED):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()
