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
from bot.knowledge.tree import KnowledgeSet, read_hosts, read_knowledge, read_uploaded, tree_digest
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
                    return warnings  # the import rebuilt the index
                except KnowledgeError as exc:
                    warnings.append(f"knowledge files were not imported: {exc}")
        await self.engine.rebuild()
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
        self, root: Path, actor: str, reason: str = "import", progress: Progress | None = None
    ) -> ImportReport:
        """Import a knowledge directory, all or nothing. Unchanged entries get no revision."""
        ks, digest = await asyncio.to_thread(self._read_tree, root)
        return await self._import(ks, actor, reason, progress, digest)

    def _read_tree(self, root: Path) -> tuple[KnowledgeSet, str | None]:
        # The digest marks the configured tree as imported; another folder leaves it alone.
        ks = read_knowledge(root)
        configured = self.knowledge_dir is not None and root.resolve() == self.knowledge_dir.resolve()
        return ks, tree_digest(root) if configured else None

    async def import_files(self, files: Mapping[str, bytes], actor: str) -> ImportReport:
        """Import knowledge files received in chat (relative path -> bytes), all or nothing.

        Only ``entries/*.md`` and ``catalog/*.tsv`` are accepted; domain data and the host
        allow-list always come from the configured knowledge directory.
        """
        ks = await asyncio.to_thread(read_uploaded, files, self.domains, self.hosts)
        return await self._import(ks, actor, "import from chat", None, None)

    async def _import(
        self, ks: KnowledgeSet, actor: str, reason: str, progress: Progress | None, digest: str | None
    ) -> ImportReport:
        async with self._lock:
            # Check the knowledge base as it will be after the import: stored entries that the
            # files do not replace still count (an imported file may not claim their codes).
            incoming = {e.id for e in ks.entries}
            after = [e for e in await self.store.list_entries() if e.id not in incoming] + ks.entries
            problems = check_entries(after, ks.domains, ks.hosts, ks.files)
            if problems:
                raise KnowledgeError(problems)
            revs = await self.store.put_entries(ks.entries, actor, reason, op="import", progress=progress)
            if digest is not None:
                await self.store.set_meta(DIGEST_KEY, digest)
            await self.engine.rebuild(after)
            self.engine.metrics.imported()
        return ImportReport(len(ks.entries), len(revs), tuple(revs))


def assemble(
    store: Store, knowledge_dir: Path | None, settings: EngineSettings | None = None, metrics: Metrics | None = None
) -> tuple[Engine, Curator]:
    """An engine and its curator over ``store``, with the domain data and link allow-list of
    ``knowledge_dir`` read first, so neither is ever built half-initialised."""
    domains, hosts = EMPTY, frozenset[str]()
    if knowledge_dir is not None and knowledge_dir.is_dir():
        domains = load_domains(knowledge_dir / "domains.toml")
        hosts = read_hosts(knowledge_dir / "hosts.txt")
    engine = Engine(store, domains, settings, metrics)
    return engine, Curator(engine, store, knowledge_dir, domains, hosts)
