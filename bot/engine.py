"""The engine: the one async entry point ``answer``, and reading the knowledge base.

Writes to the knowledge base go through :class:`bot.curator.Curator`, which rebuilds this
engine's index; the engine itself only reads the store (and logs queries and feedback).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace

from bot.domains import DomainTable
from bot.extract import Extractor
from bot.index import Index
from bot.keys import resolve
from bot.knowledge.tree import render_tree
from bot.logs import question_fields
from bot.metrics import PLATFORMS, Metrics
from bot.metrics import Mode as ModeLabel
from bot.metrics import Platform as PlatformLabel
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
from bot.policy import Decision, Policy, decide
from bot.rank import SearchResult, search
from bot.reviewlog import record as record_miss
from bot.settings import EngineSettings
from bot.store.base import QueryRecord, ReviewRecord, Store

log = logging.getLogger(__name__)


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
        return search(snap.index, ex, limit=self.settings.max_matches)

    def error_codes(self, text: str, attachments: tuple[Attachment, ...] = ()) -> set[tuple[str | None, int]]:
        """The (domain, code) pairs a message names: extraction only, no ranking.

        Adapters use it to tell whether a follow-up in a thread adds a new error.
        """
        return {(c.domain, c.code) for c in self._snapshot.extractor.extract(text, attachments).codes}

    async def answer(self, incoming: Incoming) -> Answer | None:
        """Answer one message, or None when an auto-reply should stay silent."""
        platform, mode = _labels(incoming)
        self.metrics.question(platform, mode)
        with self.metrics.timed_search():
            result = self.search(incoming.text, incoming.attachments)
        place = incoming.place
        channel = None
        if incoming.mode is Mode.AUTO:
            channel = await self.store.get_channel(place.platform, place.scope, place.channel)
        decision = decide(result, incoming.mode, self.policy, channel)
        query_id = None
        if incoming.mode.explicit or decision.auto_reply:
            record = _query_record(incoming, decision)
            query_id = await self.store.log_query(record)
            # Same fields on every platform; the text is hidden by the log handler by default.
            log.info("question %d: %s", query_id, record.outcome, extra=question_fields(record, query_id))
        unknown = tuple(dict.fromkeys((f.domain, f.code) for f in result.unknown_codes))
        if unknown and decision.outcome is not Outcome.ANSWER:
            for domain, code in unknown[:5]:
                await self.store.add_gap(domain, code, incoming.text, query_id)
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

    async def gaps(self, limit: int = 20) -> list[Gap]:
        return await self.store.list_gaps(limit)

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
        self.metrics.vote(_platform(actor.split(":", 1)[0]), helpful)
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


# Metric labels are fixed sets: a platform the metrics do not name counts as the command line.
_MODE_LABELS: dict[Mode, ModeLabel] = {
    Mode.SLASH: "slash",
    Mode.CONTEXT: "context-menu",
    Mode.AUTO: "auto",
    Mode.MENTION: "mention",
    Mode.CLI: "cli",
}


def _platform(name: str) -> PlatformLabel:
    return name if name in PLATFORMS else "cli"


def _labels(incoming: Incoming) -> tuple[PlatformLabel, ModeLabel]:
    return _platform(incoming.place.platform), _MODE_LABELS[incoming.mode]


def _query_record(incoming: Incoming, decision: Decision) -> QueryRecord:
    top = decision.matches[0] if decision.matches else None
    place = incoming.place
    return QueryRecord(
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


def unknown_code_note(unknown: tuple[tuple[str | None, int], ...]) -> str:
    """What to ask for when a code is in no table: the parts of the error that identify it."""
    codes = ", ".join(f"{d} {c}" if d else str(c) for d, c in unknown[:3])
    return (
        f"{codes}: not a documented code in any table this bot knows. Please post the full error: "
        "its domain (Error Domain=...), the NSUnderlyingError, and the _kCFStreamErrorDomainKey / "
        "_kCFStreamErrorCodeKey values, so it can be identified."
    )
