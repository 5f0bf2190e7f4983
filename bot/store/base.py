"""The storage Protocol every backend implements (SQLite now, PostgreSQL later)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.models import ChannelSettings, Entry, Gap, ReviewItem, ReviewScope, Revision, Stats, SupportBotError

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
class ImportResult:
    """What a file import did: new revisions, and the entries it left alone because they were
    changed in chat and their files changed too (``conflicts``)."""

    revisions: tuple[Revision, ...]
    conflicts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChatEdit:
    """An entry whose newest revision came from chat and is not in the files yet."""

    entry_id: str
    rev: int
    op: str
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """A file import refused for an entry changed in chat; the chat revision ``chat_rev`` stands."""

    entry_id: str
    chat_rev: int
    at: str
    file_entry: Entry | None  # what the file says (None if that cannot be read)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Like ``git status`` for the knowledge base: chat edits not exported, and conflicts."""

    chat_edits: tuple[ChatEdit, ...]
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One miss for the review queue: a question that got nothing, suggestions or an unknown
    code, or a "Not helpful" / "Not this?" click on the answer to query ``query_id``.

    ``actor`` is who asked (or clicked); one actor counts once per query and kind."""

    kind: str
    query_id: int | None
    actor: str
    platform: str
    scope: str
    channel: str
    text: str
    outcome: str
    top_id: str | None


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


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows a purge emptied of people's text and ids (the rows themselves stay, so
    every count and chart is unchanged)."""

    queries: int = 0
    feedback: int = 0
    gaps: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.queries + self.feedback + self.gaps + self.review


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

    async def import_entries(
        self,
        entries: Sequence[Entry],
        actor: str,
        reason: str,
        *,
        theirs: bool = False,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Import entries read from files, in one transaction. An entry whose file did not change
        since the last import is left alone; one changed in chat whose file changed too is a
        conflict (kept as it is, recorded) unless ``theirs``."""
        ...

    async def mark_exported(self, entries: Sequence[Entry]) -> None:
        """Record that the files now hold exactly ``entries`` (after ``kb export``)."""
        ...

    async def sync_status(self) -> SyncStatus: ...
    async def delete_entry(self, entry_id: str, actor: str, reason: str) -> Revision: ...
    async def history(self, entry_id: str) -> list[Revision]: ...
    async def get_revision(self, entry_id: str, rev: int) -> Revision: ...
    async def get_meta(self, key: str) -> str | None: ...
    async def knowledge_version(self) -> int:
        """A number that changes whenever any process changes the entries (add, edit, delete,
        revert, import), so a running bot can notice another process's writes."""
        ...

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

    async def get_query(self, query_id: int) -> QueryRecord | None: ...

    # The review queue: records grouped into items (the grouping is bot.reviewlog's).
    async def find_review_item(self, key: str) -> int | None:
        """The open item with this key, if any."""
        ...

    async def review_texts(self, limit: int, per_item: int = 3) -> list[tuple[int, tuple[str, ...]]]:
        """The ``limit`` most recently hit open items of similar questions (key "question"), with
        a few of their texts, to group a new question with."""
        ...

    async def add_review(
        self, record: ReviewRecord, item_id: int | None, key: str, codes: Sequence[tuple[str, int]]
    ) -> int:
        """Record a miss in item ``item_id``, or in a new item with ``key`` and ``codes``;
        returns the item id."""
        ...

    async def review_items(
        self, scope: ReviewScope, limit: int = 50, item_id: int | None = None, examples: int = 3
    ) -> list[ReviewItem]:
        """Open items (or the one ``item_id``, in any status) counted within ``scope``, most hit
        first; titles are left empty for the caller to choose."""
        ...

    async def close_review_item(self, item_id: int, status: str, actor: str, detail: str) -> None:
        """Take an open item off the queue and record the review event; NotFound otherwise."""
        ...

    # Privacy: people's words and ids are kept for a while, then emptied; rows (counts) stay.
    async def purge_before(self, cutoff: str) -> Purged:
        """Empty the message text and user ids recorded before ``cutoff`` (ISO time) in queries,
        gaps, feedback and review records, in one transaction."""
        ...

    async def purge_user(self, user: str) -> Purged:
        """Empty everything recorded about ``user`` (``platform:id``): their queries' text and
        author, their feedback, their review records and those of their queries, and the gaps
        their queries left, in one transaction."""
        ...

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

    # The auto-reply ledger (bot.chat.AutoReplyGate): shared by every process on the database.
    async def thread_answered(self, platform: str, channel: str, thread: str) -> bool: ...
    async def last_reply(self, platform: str, channel: str) -> float | None:
        """When the channel's last auto-reply was claimed (seconds since the epoch), if ever."""
        ...

    async def mark_answered(self, platform: str, channel: str, thread: str, at: float) -> None:
        """Record that a thread got an answer on request; starts no cooldown."""
        ...

    async def claim_reply(self, platform: str, channel: str, thread: str, at: float, cooldown: float) -> bool:
        """Take the right to auto-reply in ``thread`` at ``at``, in one transaction: False when the
        thread was answered, or the channel's last auto-reply is younger than ``cooldown``.
        Enforced by the database, so of several processes claiming at once exactly one wins."""
        ...

    async def forget_replies(self, before: float) -> int:
        """Drop answered threads older than ``before`` (the ledger stays bounded)."""
        ...

    async def listen_knowledge(self, callback: Callable[[], None]) -> bool:
        """Call ``callback`` soon after any process changes the knowledge; False when the backend
        cannot notify (the caller then relies on polling :meth:`knowledge_version`)."""
        ...
