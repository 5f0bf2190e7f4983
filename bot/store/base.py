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
    async def add_gap(
        self,
        domain: str | None,
        code: int | None,
        text: str,
        query_id: int | None,
        platform: str = "",
        scope: str = "",
    ) -> None:
        """Record a question nothing answered, with where it was asked (``platform``, ``scope``)."""
        ...

    async def list_gaps(self, limit: int = 20, platform: str | None = None, scope: str | None = None) -> list[Gap]:
        """Gaps grouped by code, most frequent first; only those asked in ``platform``/``scope``
        when given (each community sees its own questions)."""
        ...

    async def stats(self) -> Stats: ...

    async def get_channel(self, platform: str, scope: str, channel: str) -> ChannelSettings | None: ...
    async def set_channel(
        self, platform: str, scope: str, channel: str, settings: ChannelSettings, actor: str
    ) -> None: ...
