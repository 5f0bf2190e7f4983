"""The engine: the one async entry point ``answer``, and reading the knowledge base.

Writes to the knowledge base go through :class:`bot.curator.Curator`, which rebuilds this
engine's index; the engine itself only reads the store (and logs queries and feedback).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace

from bot.combine import asked_topic_first
from bot.domains import DomainTable
from bot.extract import Extractor
from bot.index import Index
from bot.keys import resolve
from bot.knowledge.tree import render_tree
from bot.logs import question_fields
from bot.metrics import Metrics
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
from bot.records import labels, platform_label, query_record, unknown_code_note
from bot.reviewlog import record as record_miss
from bot.settings import EngineSettings
from bot.store.base import ReviewRecord, Store

log = logging.getLogger(__name__)

# Inputs larger than this (characters, message and files together) are searched on a worker
# thread, so one big paste does not stall every other conversation on the event loop.
OFF_LOOP_CHARS = 64 * 1024
# How long such a search may take before the asker is told it was too much.
SEARCH_BUDGET_SECONDS = 15.0


class TooSlow(SupportBotError):
    """The search of one (very large) message did not finish within its time budget."""


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """Index and extractor swapped together, so one request sees one consistent pair."""

    index: Index
    extractor: Extractor


class Engine:
    """Answers messages from an immutable index that is swapped whole when the store changes."""

    def __init__(
        self,
        store: Store,
        domains: DomainTable,
        settings: EngineSettings | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.metrics = metrics or Metrics()
        self.domains = domains
        self.settings = settings or EngineSettings()
        s = self.settings
        self.policy = Policy(
            auto_threshold=s.auto_threshold,
            auto_margin=s.auto_margin,
            answer_threshold=s.answer_threshold,
            suggest_threshold=s.suggest_threshold,
        )
        self._snapshot = _Snapshot(Index([], domains), Extractor(domains, s.max_input_chars))
        # One large search at a time: each worker thread competes with the event loop for the
        # GIL, and a regex over a megabyte holds it for tens of milliseconds per call.
        self._large = asyncio.Semaphore(1)

    @property
    def index(self) -> Index:
        return self._snapshot.index

    async def rebuild(self, entries: list[Entry] | None = None) -> None:
        """Build a new index and swap it in with one assignment.

        ``entries`` is the store's content when the caller has just read and changed it;
        otherwise the store is read here.
        """
        if entries is None:
            entries = await self.store.list_entries()
        index = await asyncio.to_thread(Index, entries, self.domains)
        self._snapshot = _Snapshot(index, Extractor(self.domains, self.settings.max_input_chars))
        catalog = sum(1 for e in entries if e.catalog)
        self.metrics.knowledge(len(entries) - catalog, catalog)

    # ------------------------------------------------------------ answering

    def search(self, text: str, attachments: tuple[Attachment, ...] = ()) -> SearchResult:
        """Extraction and ranking only: no I/O, so benchmarks and the eval can call it."""
        snap = self._snapshot
        ex = snap.extractor.extract(text, attachments)
        result = search(snap.index, ex, limit=self.settings.max_matches)
        return asked_topic_first(result, self.policy.auto_threshold, self.policy.auto_margin)

    async def codes_in(self, text: str, attachments: tuple[Attachment, ...] = ()) -> set[tuple[str | None, int]]:
        """:meth:`error_codes`, on a worker thread when the input is large."""
        if len(text) + sum(len(a.text) for a in attachments) <= OFF_LOOP_CHARS:
            return self.error_codes(text, attachments)
        async with self._large:
            return await asyncio.to_thread(self.error_codes, text, attachments)

    async def _search(self, incoming: Incoming) -> SearchResult:
        """:meth:`search`, on a worker thread with a time budget when the input is large."""
        size = len(incoming.text) + sum(len(a.text) for a in incoming.attachments)
        if size <= OFF_LOOP_CHARS:
            return self.search(incoming.text, incoming.attachments)

        async def work() -> SearchResult:
            async with self._large:
                return await asyncio.to_thread(self.search, incoming.text, incoming.attachments)

        try:
            return await asyncio.wait_for(work(), SEARCH_BUDGET_SECONDS)
        except TimeoutError:
            log.warning("search of %d characters took over %.0f s; gave up", size, SEARCH_BUDGET_SECONDS)
            raise TooSlow(
                "That was too much text to search in time. Paste the error lines themselves "
                "(Error Domain=... Code=...) or a shorter part of the log."
            ) from None

    def error_codes(self, text: str, attachments: tuple[Attachment, ...] = ()) -> set[tuple[str | None, int]]:
        """The (domain, code) pairs a message names: extraction only, no ranking.

        Adapters use it to tell whether a follow-up in a thread adds a new error.
        """
        return {(c.domain, c.code) for c in self._snapshot.extractor.extract(text, attachments).codes}

    async def answer(self, incoming: Incoming) -> Answer | None:
        """Answer one message, or None when an auto-reply should stay silent."""
        platform, mode = labels(incoming)
        self.metrics.question(platform, mode)
        with self.metrics.timed_search():
            result = await self._search(incoming)
        place = incoming.place
        channel = None
        if incoming.mode is Mode.AUTO:
            channel = await self.store.get_channel(place.platform, place.scope, place.channel)
        decision = decide(result, incoming.mode, self.policy, channel)
        query_id = None
        if incoming.mode.explicit or decision.auto_reply:
            record = query_record(incoming, decision)
            query_id = await self.store.log_query(record)
            # Same fields on every platform; the text is hidden by the log handler by default.
            log.info("question %d: %s", query_id, record.outcome, extra=question_fields(record, query_id))
        unknown = tuple(dict.fromkeys((f.domain, f.code) for f in result.unknown_codes))
        if unknown and decision.outcome is not Outcome.ANSWER:
            for domain, code in unknown[:5]:
                await self.store.add_gap(domain, code, incoming.text, query_id, place.platform, place.scope)
                self.metrics.gap(platform)
        if query_id is not None and decision.outcome is not Outcome.ANSWER:
            await self._review(decision.outcome.value, query_id, incoming.author, result)
        if decision.auto_reply and incoming.mode is Mode.AUTO:
            self.metrics.auto_reply(platform)
        if decision.matches:
            self.metrics.answered(platform, mode)
        else:
            self.metrics.abstained(platform, mode)
        if incoming.mode is Mode.AUTO and not decision.auto_reply:
            return None
        notes = list(result.extraction.notes)
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

    async def _review(self, kind: str, query_id: int, actor: str, result: SearchResult | None = None) -> None:
        """Record a miss on logged query ``query_id`` for the maintainers' review queue."""
        query = await self.store.get_query(query_id)
        if query is None:
            return
        if result is None:
            result = self.search(query.text)
        ex = result.extraction
        codes: list[tuple[str | None, int]] = []
        # The error the app reported first, then what was nested in it; a bare code as the key it most likely means.
        for c in sorted(ex.codes, key=lambda c: c.underlying):
            resolved = resolve(self.index, c, ex)
            codes.append(resolved[0][0] if resolved else (c.domain, c.code))
        rec = ReviewRecord(
            kind, query_id, actor, query.platform, query.scope, query.channel, query.text, query.outcome, query.top_id
        )
        await record_miss(self.store, rec, list(dict.fromkeys(codes)))

    async def why(self, text: str) -> list[Match]:
        """The ranking with its reasons, for ``/kb why``: nothing is logged."""
        return list(self.search(text).matches)

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

    async def gaps(self, limit: int = 20, platform: str | None = None, scope: str | None = None) -> list[Gap]:
        """Questions nothing answered; only those asked in ``platform``/``scope`` when given."""
        return await self.store.list_gaps(limit, platform, scope)

    async def stats(self) -> Stats:
        return await self.store.stats()

    async def export_files(self) -> dict[str, str]:
        """Relative path -> text of every knowledge file, as ``kb export`` writes them."""
        return render_tree(await self.store.list_entries())

    # ------------------------------------------------------------ feedback and channels

    async def feedback(self, query_id: int, actor: str, helpful: bool, *, not_this: bool = False) -> None:
        """Record a Helpful / Not helpful click on a logged query (actors are ``platform:id``);
        ``not_this``: the asker dismissed an auto-reply. Misses go to the review queue too."""
        await self.store.add_feedback(query_id, actor, helpful)
        self.metrics.vote(platform_label(actor.split(":", 1)[0]), helpful)
        if not helpful:
            await self._review("not-this" if not_this else "unhelpful", query_id, actor)

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
        """Turn auto-replies on or off in a channel, or set its threshold; the actor is recorded."""
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
