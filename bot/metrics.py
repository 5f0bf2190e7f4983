"""Prometheus metrics for the bot, kept in one registry object (not the library's global one,
so each test, and each bot in a process, can have its own).

Label values are fixed sets (below), never user input, so the number of series stays small.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

Platform = Literal["discord", "slack", "console", "cli"]
# How a question reached the bot: a slash command, a message menu/shortcut, an auto-reply
# candidate in a help channel, a direct mention, or the command line.
Mode = Literal["slash", "context-menu", "auto", "mention", "cli"]
PLATFORMS: tuple[Platform, ...] = ("discord", "slack", "console", "cli")
MODES: tuple[Mode, ...] = ("slash", "context-menu", "auto", "mention", "cli")
# The classic text format, which generate_latest writes and every Prometheus version reads.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Search normally takes milliseconds; the top buckets catch a pasted megabyte-sized log.
SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """Every metric the bot exports, with one small method to record each event."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        reg = self.registry
        self.questions = Counter("supportbot_questions", "Questions received", ["platform", "mode"], registry=reg)
        self.answers = Counter(
            "supportbot_answers", "Questions answered with a match", ["platform", "mode"], registry=reg
        )
        self.abstentions = Counter(
            "supportbot_abstentions", "Questions left without an answer", ["platform", "mode"], registry=reg
        )
        self.auto_replies = Counter("supportbot_auto_replies", "Auto-replies posted", ["platform"], registry=reg)
        self.feedback = Counter("supportbot_feedback", "Feedback votes", ["platform", "vote"], registry=reg)
        self.gaps = Counter(
            "supportbot_gaps_recorded", "Unknown codes or questions recorded", ["platform"], registry=reg
        )
        self.reconnects = Counter(
            "supportbot_platform_reconnects", "Reconnections to a platform", ["platform"], registry=reg
        )
        self.search_seconds = Histogram(
            "supportbot_search_seconds", "Time to rank one question", buckets=SEARCH_BUCKETS, registry=reg
        )
        self.kb_entries = Gauge("supportbot_knowledge_entries", "Entries in the knowledge base", ["kind"], registry=reg)
        self.last_import = Gauge(
            "supportbot_knowledge_last_import_timestamp_seconds",
            "When knowledge files were last imported",
            registry=reg,
        )
        self._zero()

    def _zero(self) -> None:
        # Create every series at 0, so rate() and alerts see a counter before its first event.
        for platform in PLATFORMS:
            for mode in MODES:
                for counter in (self.questions, self.answers, self.abstentions):
                    counter.labels(platform, mode)
            for counter in (self.auto_replies, self.gaps, self.reconnects):
                counter.labels(platform)
            for vote in ("up", "down"):
                self.feedback.labels(platform, vote)

    def question(self, platform: Platform, mode: Mode) -> None:
        """A question arrived (before ranking)."""
        self.questions.labels(platform, mode).inc()

    def answered(self, platform: Platform, mode: Mode) -> None:
        """An answer (or a list of suggestions) was posted for a question."""
        self.answers.labels(platform, mode).inc()

    def abstained(self, platform: Platform, mode: Mode) -> None:
        """Nothing was good enough: an honest "nothing matched", or silence in a help channel."""
        self.abstentions.labels(platform, mode).inc()

    def auto_reply(self, platform: Platform) -> None:
        """The bot answered unasked in a help channel."""
        self.auto_replies.labels(platform).inc()

    def vote(self, platform: Platform, helpful: bool) -> None:
        """A Helpful / Not helpful click or a thumbs reaction."""
        self.feedback.labels(platform, "up" if helpful else "down").inc()

    def gap(self, platform: Platform) -> None:
        """A code no table knows (or an unanswered question) was stored in the gaps list."""
        self.gaps.labels(platform).inc()

    def reconnect(self, platform: Platform) -> None:
        """The platform connection dropped and was opened again."""
        self.reconnects.labels(platform).inc()

    def search(self, seconds: float) -> None:
        """One ranking took ``seconds``."""
        self.search_seconds.observe(seconds)

    @contextmanager
    def timed_search(self) -> Iterator[None]:
        """Time the block as one search: ``with metrics.timed_search(): engine.search(...)``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.search(time.perf_counter() - start)

    def knowledge(self, curated: int, catalog: int) -> None:
        """The knowledge base's current size (curated entries and catalog rows)."""
        self.kb_entries.labels("curated").set(curated)
        self.kb_entries.labels("catalog").set(catalog)

    def imported(self, at: float | None = None) -> None:
        """Knowledge files were imported at ``at`` (a Unix time; default now)."""
        self.last_import.set(at if at is not None else time.time())

    def render(self) -> bytes:
        """Every metric in the Prometheus text format (serve with :data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)
