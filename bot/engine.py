"""The engine: the one async entry point ``answer`` and the admin operations around it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.domains import EMPTY, DomainTable, load_domains
from bot.extract import Extraction, Extractor
from bot.index import Index
from bot.kbfiles import KnowledgeError, read_hosts, read_knowledge, render_tree
from bot.lint import check_entries
from bot.models import (
    Answer,
    Attachment,
    ChannelSettings,
    Entry,
    Gap,
    Incoming,
    Match,
    Mode,
    NotFound,
    Outcome,
    Revision,
    Stats,
    SupportBotError,
)
from bot.policy import Policy, decide
from bot.rank import SearchResult, search
from bot.settings import EngineSettings
from bot.store.base import Progress, QueryRecord, Store

log = logging.getLogger(__name__)
DIGEST_KEY = "knowledge_digest"


@dataclass(frozen=True, slots=True)
class ImportReport:
    read: int
    changed: int
    revisions: tuple[Revision, ...]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """Index and extractor swapped together, so one request sees one consistent pair."""

    index: Index
    extractor: Extractor


class Engine:
    """Answers messages from the index and keeps the index in step with the store."""

    def __init__(
        self,
        store: Store,
        knowledge_dir: Path | None = None,
        settings: EngineSettings | None = None,
    ) -> None:
        self.store = store
        self.knowledge_dir = knowledge_dir
        self.settings = settings or EngineSettings()
        s = self.settings
        self.policy = Policy(
            auto_threshold=s.auto_threshold,
            auto_margin=s.auto_margin,
            answer_threshold=s.answer_threshold,
            suggest_threshold=s.suggest_threshold,
        )
        self.domains: DomainTable = EMPTY
        self.hosts: frozenset[str] = frozenset()
        self._snapshot = _Snapshot(Index([], EMPTY), Extractor(EMPTY, s.max_input_chars))
        self._write_lock = asyncio.Lock()

    @property
    def index(self) -> Index:
        return self._snapshot.index

    # ------------------------------------------------------------ start-up

    async def start(self, import_on_start: bool = True) -> list[str]:
        """Load domain data, import ``knowledge/`` when the store is empty or the files changed,
        and build the index. Returns warnings (a broken knowledge file never stops start-up)."""
        warnings: list[str] = []
        if self.knowledge_dir is not None:
            self.domains = load_domains(self.knowledge_dir / "domains.toml")
            self.hosts = read_hosts(self.knowledge_dir / "hosts.txt")
        if import_on_start and self.knowledge_dir is not None and self.knowledge_dir.is_dir():
            # A store that never imported has no digest, so an empty store imports too.
            digest = await asyncio.to_thread(tree_digest, self.knowledge_dir)
            if digest != await self.store.get_meta(DIGEST_KEY):
                try:
                    await self.import_tree(self.knowledge_dir, actor="system:import", reason="knowledge files changed")
                    return warnings  # the import rebuilt the index
                except KnowledgeError as exc:
                    warnings.append(f"knowledge files were not imported: {exc}")
        await self.rebuild()
        return warnings

    async def rebuild(self, entries: list[Entry] | None = None) -> None:
        """Build a new index and swap it in with one assignment.

        ``entries`` is the store's content when the caller has just read and changed it;
        otherwise the store is read here.
        """
        if entries is None:
            entries = await self.store.list_entries()
        domains = self.domains
        index = await asyncio.to_thread(Index, entries, domains)
        self._snapshot = _Snapshot(index, Extractor(domains, self.settings.max_input_chars))

    # ------------------------------------------------------------ answering

    def search(self, text: str, attachments: tuple[Attachment, ...] = ()) -> tuple[Extraction, SearchResult]:
        """Extraction and ranking only: no I/O, so benchmarks and the eval can call it."""
        snap = self._snapshot
        ex = snap.extractor.extract(text, attachments)
        return ex, search(snap.index, ex, limit=self.settings.max_matches)

    def error_codes(self, text: str, attachments: tuple[Attachment, ...] = ()) -> set[tuple[str | None, int]]:
        """The (domain, code) pairs a message names: extraction only, no ranking.

        Adapters use it to tell whether a follow-up in a thread adds a new error.
        """
        return {(c.domain, c.code) for c in self._snapshot.extractor.extract(text, attachments).codes}

    async def answer(self, incoming: Incoming) -> Answer | None:
        """Answer one message, or None when an auto-reply should stay silent."""
        ex, result = self.search(incoming.text, incoming.attachments)
        place = incoming.place
        channel = None
        if incoming.mode is Mode.AUTO:
            channel = await self.store.get_channel(place.platform, place.scope, place.channel)
        decision = decide(result, incoming.mode, self.policy, channel)
        query_id = None
        if incoming.mode.explicit or decision.auto_reply:
            top = decision.matches[0] if decision.matches else None
            query_id = await self.store.log_query(
                QueryRecord(
                    platform=place.platform,
                    scope=place.scope,
                    channel=place.channel,
                    author=incoming.author,
                    mode=incoming.mode.value,
                    text=incoming.text,
                    outcome=decision.outcome.value,
                    top_id=top.entry.id if top else None,
                    confidence=top.confidence if top else None,
                    match_ids=tuple(m.entry.id for m in decision.matches),
                )
            )
        unknown = tuple(dict.fromkeys((f.domain, f.code) for f in result.unknown_codes))
        if unknown and decision.outcome is not Outcome.ANSWER:
            for domain, code in unknown[:5]:
                await self.store.add_gap(domain, code, incoming.text, query_id)
        if incoming.mode is Mode.AUTO and not decision.auto_reply:
            return None
        notes = list(ex.notes)
        unknown_note = unknown_code_note(unknown) if decision.outcome is Outcome.UNKNOWN_CODE else ""
        foreign = sorted({f.domain for f in result.foreign_codes if f.domain})
        if foreign and decision.outcome is not Outcome.ANSWER:
            notes.append(f"{', '.join(foreign[:3])}: not a domain this knowledge base covers.")
        return Answer(
            decision.outcome,
            decision.matches,
            decision.auto_reply,
            query_id,
            tuple(notes),
            unknown,
            unknown_note,
            decision.combined,
        )

    async def why(self, text: str) -> list[Match]:
        """The ranking with its reasons, for ``/kb why``: nothing is logged."""
        return list(self.search(text)[1].matches)

    # ------------------------------------------------------------ reading the knowledge base

    async def get_entry(self, entry_id: str) -> Entry:
        entry = await self.store.get_entry(entry_id)
        if entry is None:
            raise NotFound(f"no entry '{entry_id}'")
        return entry

    async def list_entries(self) -> list[Entry]:
        return await self.store.list_entries()

    async def history(self, entry_id: str) -> list[Revision]:
        revisions = await self.store.history(entry_id)
        if not revisions:
            raise NotFound(f"no entry '{entry_id}' and no history for it")
        return revisions

    async def gaps(self, limit: int = 20) -> list[Gap]:
        return await self.store.list_gaps(limit)

    async def stats(self) -> Stats:
        return await self.store.stats()

    async def export_files(self) -> dict[str, str]:
        """Relative path -> text of every knowledge file, as ``kb export`` writes them."""
        return render_tree(await self.store.list_entries())

    # ------------------------------------------------------------ admin changes (explicit actor)

    def _check(self, entries: list[Entry]) -> None:
        problems = check_entries(entries, self.domains, self.hosts)
        if problems:
            raise KnowledgeError(problems)

    async def save_entry(self, entry: Entry, actor: str, reason: str = "", *, create: bool) -> Revision:
        """Add (``create``) or edit an entry after the same checks ``kb lint`` runs."""
        async with self._write_lock:
            current = await self.store.list_entries()
            exists = any(e.id == entry.id for e in current)
            if create and exists:
                raise SupportBotError(f"entry '{entry.id}' already exists; edit it instead")
            if not create and not exists:
                raise NotFound(f"no entry '{entry.id}'")
            after = [e for e in current if e.id != entry.id] + [entry]
            self._check(after)
            revs = await self.store.put_entries([entry], actor, reason or ("add" if create else "edit"))
            await self.rebuild(after)
        if not revs:
            raise SupportBotError(f"entry '{entry.id}' is unchanged")
        return revs[0]

    async def delete_entry(self, entry_id: str, actor: str, reason: str = "") -> Revision:
        async with self._write_lock:
            current = await self.store.list_entries()
            dependants = [e.id for e in current if entry_id in e.related]
            if dependants:
                raise SupportBotError(f"entry '{entry_id}' is listed as related by {', '.join(dependants)}")
            rev = await self.store.delete_entry(entry_id, actor, reason or "delete")
            await self.rebuild([e for e in current if e.id != entry_id])
        return rev

    async def revert(self, entry_id: str, rev: int, actor: str) -> Revision:
        """Make revision ``rev``'s content current again, as a new revision."""
        async with self._write_lock:
            target = await self.store.get_revision(entry_id, rev)
            if target.entry is None:
                raise SupportBotError(f"revision {rev} of '{entry_id}' deleted it; revert to an earlier revision")
            current = await self.store.list_entries()
            after = [e for e in current if e.id != entry_id] + [target.entry]
            self._check(after)
            revs = await self.store.put_entries([target.entry], actor, f"revert to revision {rev}", op="revert")
            await self.rebuild(after)
        if not revs:
            raise SupportBotError(f"'{entry_id}' already has the content of revision {rev}")
        return revs[0]

    async def import_tree(
        self, root: Path, actor: str, reason: str = "import", progress: Progress | None = None
    ) -> ImportReport:
        """Import a knowledge directory, all or nothing. Unchanged entries get no revision."""
        ks = await asyncio.to_thread(read_knowledge, root)
        async with self._write_lock:
            # Check the knowledge base as it will be after the import: stored entries that the
            # files do not replace still count (an imported file may not claim their codes).
            incoming = {e.id for e in ks.entries}
            after = [e for e in await self.store.list_entries() if e.id not in incoming] + ks.entries
            problems = check_entries(after, ks.domains or self.domains, ks.hosts or self.hosts, ks.files)
            if problems:
                raise KnowledgeError(problems)
            revs = await self.store.put_entries(ks.entries, actor, reason, op="import", progress=progress)
            digest = await asyncio.to_thread(self._digest_if_configured, root)
            if digest is not None:
                await self.store.set_meta(DIGEST_KEY, digest)
            await self.rebuild(after)
        return ImportReport(len(ks.entries), len(revs), tuple(revs))

    def _digest_if_configured(self, root: Path) -> str | None:
        if self.knowledge_dir is None or root.resolve() != self.knowledge_dir.resolve():
            return None
        return tree_digest(root)

    async def import_files(self, files: dict[str, bytes], actor: str) -> ImportReport:
        """Import knowledge files received in chat (relative path -> bytes), all or nothing.

        Only ``entries/*.md`` and ``catalog/*.tsv`` are accepted; domain data and the host
        allow-list always come from the configured knowledge directory.
        """
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            await asyncio.to_thread(_stage_files, root, files, self.knowledge_dir)
            return await self.import_tree(root, actor, reason="import from chat")

    # ------------------------------------------------------------ feedback and channels

    async def feedback(self, query_id: int, actor: str, helpful: bool) -> None:
        await self.store.add_feedback(query_id, actor, helpful)

    async def scope_settings(self, platform: str, scope: str) -> dict[str, Any]:
        """Per-guild / per-workspace settings saved from chat (empty when none)."""
        return await self.store.get_scope(platform, scope)

    async def set_scope_settings(self, platform: str, scope: str, actor: str, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into a guild's or workspace's settings; the actor is recorded."""
        data = {**await self.store.get_scope(platform, scope), **changes}
        await self.store.set_scope(platform, scope, data, actor)
        return data

    async def channel_settings(self, platform: str, scope: str, channel: str, *, configured: bool) -> ChannelSettings:
        """Stored settings for a channel, else auto-replies on where the config lists it."""
        stored = await self.store.get_channel(platform, scope, channel)
        return stored if stored is not None else ChannelSettings(auto_reply=configured)

    async def set_channel(
        self,
        platform: str,
        scope: str,
        channel: str,
        actor: str,
        *,
        auto_reply: bool | None = None,
        threshold: float | None = None,
        configured: bool = False,
    ) -> ChannelSettings:
        if threshold is not None and not 0 <= threshold <= 1:
            raise SupportBotError("the threshold is a confidence from 0 to 1, for example 0.85")
        current = await self.channel_settings(platform, scope, channel, configured=configured)
        new = replace(
            current,
            auto_reply=current.auto_reply if auto_reply is None else auto_reply,
            threshold=current.threshold if threshold is None else threshold,
        )
        await self.store.set_channel(platform, scope, channel, new, actor)
        return new


def _stage_files(root: Path, files: dict[str, bytes], knowledge_dir: Path | None) -> None:
    """Lay out chat-supplied files as a knowledge directory, refusing any other path."""
    for rel, data in files.items():
        parts = Path(rel).parts
        ok = len(parts) == 2 and (
            (parts[0] == "entries" and rel.endswith(".md")) or (parts[0] == "catalog" and rel.endswith(".tsv"))
        )
        if not ok:
            raise SupportBotError(f"'{rel}': only entries/<id>.md and catalog/<name>.tsv files can be imported")
        (root / parts[0]).mkdir(exist_ok=True)
        (root / rel).write_bytes(data)
    if knowledge_dir is not None:
        for name in ("domains.toml", "hosts.txt"):
            src = knowledge_dir / name
            if src.exists():
                (root / name).write_bytes(src.read_bytes())


def unknown_code_note(unknown: tuple[tuple[str | None, int], ...]) -> str:
    codes = ", ".join(f"{d} {c}" if d else str(c) for d, c in unknown[:3])
    return (
        f"{codes}: not a documented code in any table this bot knows. Please post the full error: "
        "its domain (Error Domain=...), the NSUnderlyingError, and the _kCFStreamErrorDomainKey / "
        "_kCFStreamErrorCodeKey values, so it can be identified."
    )


def tree_digest(root: Path) -> str:
    """A digest of every knowledge file, to notice when the files changed since the last import."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".md", ".tsv", ".toml", ".txt"}):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()
