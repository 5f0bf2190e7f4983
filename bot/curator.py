"""The curator: every change to the knowledge base, checked, recorded with its actor, and
followed by an index rebuild. One lock orders these changes within a process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.domains import EMPTY, DomainTable, load_domains
from bot.engine import Engine
from bot.knowledge.errors import KnowledgeError
from bot.knowledge.tree import KnowledgeSet, read_hosts, read_knowledge, read_uploaded, tree_digest, write_tree
from bot.lint import check_entries
from bot.metrics import Metrics
from bot.models import Entry, NotFound, Revision, SupportBotError
from bot.settings import EngineSettings
from bot.store.base import Progress, Store

log = logging.getLogger(__name__)
DIGEST_KEY = "knowledge_digest"


@dataclass(frozen=True, slots=True)
class ImportReport:
    read: int
    changed: int
    revisions: tuple[Revision, ...]
    conflicts: tuple[str, ...] = ()  # entries changed in chat whose files changed too: not imported


def conflict_warning(conflicts: tuple[str, ...]) -> str:
    """The loud message for entries an import left alone because they were changed in chat."""
    return (
        f"{len(conflicts)} entr{'y was' if len(conflicts) == 1 else 'ies were'} changed both in chat and in "
        f"the files; the chat version is kept: {', '.join(conflicts[:10])}{' ...' if len(conflicts) > 10 else ''}. "
        "Run 'supportbot kb status'; 'kb export' keeps the chat versions, 'kb import --theirs' takes the files."
    )


class Curator:
    """Adds, edits, deletes, reverts and imports entries; the engine only reads."""

    def __init__(
        self,
        engine: Engine,
        store: Store,
        knowledge_dir: Path | None,
        domains: DomainTable,
        hosts: frozenset[str],
    ) -> None:
        self.engine = engine
        self.store = store
        self.knowledge_dir = knowledge_dir
        self.domains = domains
        self.hosts = hosts
        self._lock = asyncio.Lock()

    async def start(self, import_on_start: bool = True) -> list[str]:
        """Import ``knowledge/`` when the store is empty or the files changed, then build the
        engine's index. Returns warnings: a broken knowledge file never stops start-up."""
        warnings: list[str] = []
        root = self.knowledge_dir
        if import_on_start and root is not None and root.is_dir():
            # A store that never imported has no digest, so an empty store imports too.
            digest = await asyncio.to_thread(tree_digest, root)
            if digest != await self.store.get_meta(DIGEST_KEY):
                try:
                    await self.import_tree(root, actor="system:import", reason="knowledge files changed")
                except KnowledgeError as exc:
                    warnings.append(f"knowledge files were not imported: {exc}")
        await self.engine.rebuild()
        # Recorded conflicts are repeated at every start until someone resolves them.
        conflicts = tuple(c.entry_id for c in (await self.store.sync_status()).conflicts)
        if conflicts:
            warnings.append(conflict_warning(conflicts))
        if not self.engine.index.entries:
            warnings.append(f"the knowledge base is empty (knowledge directory: {root}); nothing can be answered")
        for warning in warnings:
            log.warning("%s", warning)
        return warnings

    def _check(self, entries: list[Entry], where: Mapping[str, str] | None = None) -> None:
        problems = check_entries(entries, self.domains, self.hosts, where)
        if problems:
            raise KnowledgeError(problems)

    async def save_entry(self, entry: Entry, actor: str, reason: str = "", *, create: bool) -> Revision:
        """Add (``create``) or edit an entry after the same checks ``kb lint`` runs."""
        async with self._lock:
            current = await self.store.list_entries()
            exists = any(e.id == entry.id for e in current)
            if create and exists:
                raise SupportBotError(f"entry '{entry.id}' already exists; edit it instead")
            if not create and not exists:
                raise NotFound(f"no entry '{entry.id}'")
            after = [e for e in current if e.id != entry.id] + [entry]
            self._check(after)
            revs = await self.store.put_entries([entry], actor, reason or ("add" if create else "edit"))
            await self.engine.rebuild(after)
        if not revs:
            raise SupportBotError(f"entry '{entry.id}' is unchanged")
        return revs[0]

    async def delete_entry(self, entry_id: str, actor: str, reason: str = "") -> Revision:
        """Delete an entry no other entry lists as related; the revision history stays."""
        async with self._lock:
            current = await self.store.list_entries()
            dependants = [e.id for e in current if entry_id in e.related]
            if dependants:
                raise SupportBotError(f"entry '{entry_id}' is listed as related by {', '.join(dependants)}")
            rev = await self.store.delete_entry(entry_id, actor, reason or "delete")
            await self.engine.rebuild([e for e in current if e.id != entry_id])
        return rev

    async def revert(self, entry_id: str, rev: int, actor: str) -> Revision:
        """Make revision ``rev``'s content current again, as a new revision."""
        async with self._lock:
            target = await self.store.get_revision(entry_id, rev)
            if target.entry is None:
                raise SupportBotError(f"revision {rev} of '{entry_id}' deleted it; revert to an earlier revision")
            current = await self.store.list_entries()
            after = [e for e in current if e.id != entry_id] + [target.entry]
            self._check(after)
            revs = await self.store.put_entries([target.entry], actor, f"revert to revision {rev}", op="revert")
            await self.engine.rebuild(after)
        if not revs:
            raise SupportBotError(f"'{entry_id}' already has the content of revision {rev}")
        return revs[0]

    async def import_tree(
        self,
        root: Path,
        actor: str,
        reason: str = "import",
        progress: Progress | None = None,
        *,
        theirs: bool = False,
    ) -> ImportReport:
        """Import a knowledge directory, all or nothing. Unchanged entries get no revision; an
        entry changed in chat whose file changed too is a conflict and is left alone, unless
        ``theirs`` (then the file wins)."""
        ks, digest = await asyncio.to_thread(self._read_tree, root)
        return await self._import(ks, actor, reason, progress, digest, theirs)

    async def export_tree(self, root: Path) -> tuple[int, int]:
        """Write every entry to ``root`` (chat edits included); returns (written, removed).

        Exporting to the configured directory records the files as imported, so the next
        import finds nothing to do and ``kb status`` is clean.
        """
        async with self._lock:
            entries = await self.store.list_entries()
            written, removed, digest = await asyncio.to_thread(self._write_tree, root, entries)
            if digest is not None:
                await self.store.mark_exported(entries)
                await self.store.set_meta(DIGEST_KEY, digest)
        return written, removed

    def _configured(self, root: Path) -> bool:
        return self.knowledge_dir is not None and root.resolve() == self.knowledge_dir.resolve()

    def _write_tree(self, root: Path, entries: list[Entry]) -> tuple[int, int, str | None]:
        written, removed = write_tree(root, entries)
        return written, removed, tree_digest(root) if self._configured(root) else None

    def _read_tree(self, root: Path) -> tuple[KnowledgeSet, str | None]:
        # The digest marks the configured tree as imported; another folder leaves it alone.
        ks = read_knowledge(root)
        return ks, tree_digest(root) if self._configured(root) else None

    async def import_files(self, files: Mapping[str, bytes], actor: str) -> ImportReport:
        """Import knowledge files received in chat (relative path -> bytes), all or nothing.

        Only ``entries/*.md`` and ``catalog/*.tsv`` are accepted; domain data and the host
        allow-list always come from the configured knowledge directory.
        """
        ks = await asyncio.to_thread(read_uploaded, files, self.domains, self.hosts)
        async with self._lock:
            after = self._after(await self.store.list_entries(), ks)
            # A chat upload is a chat edit: files in knowledge/ do not overwrite it silently.
            revs = await self.store.put_entries(ks.entries, actor, "import from chat", op="upload")
            await self.engine.rebuild(after)
            self.engine.metrics.imported()
        return ImportReport(len(ks.entries), len(revs), tuple(revs))

    @staticmethod
    def _after(current: list[Entry], ks: KnowledgeSet) -> list[Entry]:
        """The knowledge base after ``ks`` is written, checked: stored entries the files do not
        replace still count (an imported file may not claim their codes)."""
        incoming = {e.id for e in ks.entries}
        after = [e for e in current if e.id not in incoming] + ks.entries
        problems = check_entries(after, ks.domains, ks.hosts, ks.files)
        if problems:
            raise KnowledgeError(problems)
        return after

    async def _import(
        self, ks: KnowledgeSet, actor: str, reason: str, progress: Progress | None, digest: str | None, theirs: bool
    ) -> ImportReport:
        async with self._lock:
            self._after(await self.store.list_entries(), ks)
            result = await self.store.import_entries(ks.entries, actor, reason, theirs=theirs, progress=progress)
            if digest is not None:
                await self.store.set_meta(DIGEST_KEY, digest)
            # Conflicting entries kept their chat versions, so the index is built from the store.
            await self.engine.rebuild()
        return ImportReport(len(ks.entries), len(result.revisions), result.revisions, result.conflicts)


def assemble(
    store: Store, knowledge_dir: Path | None, settings: EngineSettings | None = None, metrics: Metrics | None = None
) -> tuple[Engine, Curator]:
    """An engine and its curator over ``store``, with the domain data and link allow-list of
    ``knowledge_dir`` read first, so neither is ever built half-initialised."""
    domains, hosts = EMPTY, frozenset[str]()
    if knowledge_dir is not None and not knowledge_dir.is_dir():
        # A wrong path would otherwise start a bot that silently knows nothing.
        raise SupportBotError(f"knowledge directory not found: {knowledge_dir} (check knowledge.path)")
    if knowledge_dir is not None:
        domains = load_domains(knowledge_dir / "domains.toml")
        hosts = read_hosts(knowledge_dir / "hosts.txt")
    engine = Engine(store, domains, settings, metrics)
    return engine, Curator(engine, store, knowledge_dir, domains, hosts)
