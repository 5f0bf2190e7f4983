"""The storage Protocol every backend implements (SQLite now, PostgreSQL later)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.models import ChannelSettings, Entry, Gap, Revision, Stats, SupportBotError

Progress = Callable[[int, int], None]


class StoreError(SupportBotError):
    """The store cannot do what was asked (corrupt or locked database, missing revision...)."""


@dataclass(frozen=True, slots=True)
class QueryRecord:
    platform: str
    scope: str
    channel: str
    author: str
    mode: str
    text: str
    outcome: str
    top_id: str | None
    confidence: float | None
    match_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DailyCount:
    """One day's questions on one platform, for the dashboard's charts (``day``: YYYY-MM-DD, UTC)."""

    day: str
    platform: str
    questions: int
    answered: int  # outcome "answer"
    auto_replied: int  # mode "auto" (only auto-replies are logged in that mode)
    helpful: int  # votes on that day's questions
    unhelpful: int


class Store(Protocol):
    """Entries with full revision history, query log, feedback, gaps and channel settings.

    Every method that changes more than one row does it in one transaction.
    """

    async def open(self) -> None: ...
    async def close(self) -> None: ...

    async def list_entries(self) -> list[Entry]: ...
    async def get_entry(self, entry_id: str) -> Entry | None: ...
    async def put_entries(
        self,
        entries: Sequence[Entry],
        actor: str,
        reason: str,
        op: str = "update",
        progress: Progress | None = None,
    ) -> list[Revision]:
        """Write entries that differ from the stored ones, in one transaction; returns the
        new revisions. ``progress(done, total)`` is called as entries are written."""
        ...

    async def delete_entry(self, entry_id: str, actor: str, reason: str) -> Revision: ...
    async def history(self, entry_id: str) -> list[Revision]: ...
    async def get_revision(self, entry_id: str, rev: int) -> Revision: ...
    async def get_meta(self, key: str) -> str | None: ...
    async def set_meta(self, key: str, value: str) -> None: ...

    async def log_query(self, record: QueryRecord) -> int: ...
    async def add_feedback(self, query_id: int, actor: str, helpful: bool) -> None: ...
    async def add_gap(self, domain: str | None, code: int | None, text: str, query_id: int | None) -> None: ...
    async def list_gaps(self, limit: int = 20) -> list[Gap]: ...
    async def stats(self) -> Stats: ...

    async def get_channel(self, platform: str, scope: str, channel: str) -> ChannelSettings | None: ...
    async def set_channel(
        self, platform: str, scope: str, channel: str, settings: ChannelSettings, actor: str
    ) -> None: ...

    # The web dashboard: read-only counts, and one-time sign-in tokens (stored as digests).
    async def daily_counts(self, days: int) -> list[DailyCount]:
        """Per day and platform, the last ``days`` days (today included), oldest first."""
        ...

    async def add_web_token(self, digest: str, actor: str, expires_at: str) -> None: ...
    async def take_web_token(self, digest: str, at: str, consume: bool = True) -> str | None:
        """The actor of an unused token that expires after ``at``, or None; ``consume`` marks it
        used in the same statement, so two requests can never both succeed."""
        ...
