"""What the review page needs from the review queue (``bot.review.ReviewQueue``).

The queue is built on another branch; until it is merged, the page is typed against this
Protocol and the data classes below, which mirror ``bot.models.ReviewItem`` / ``ReviewScope`` /
``ReviewExample`` field for field. When merging, import those three from ``bot.models`` here
instead and pass ``bot.review.ReviewQueue(engine, curator)`` to the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.models import Entry, Match, Revision


@dataclass(frozen=True, slots=True)
class ReviewScope:
    """Whose items someone sees: everything (``platform`` None), or one server / workspace."""

    platform: str | None = None
    scope: str | None = None

    @classmethod
    def everything(cls) -> ReviewScope:
        return cls(None, None)


@dataclass(frozen=True, slots=True)
class ReviewExample:
    """One recorded miss; ``text`` and ``author`` are empty after the retention period."""

    kind: str
    text: str
    platform: str
    scope: str
    channel: str
    at: str
    outcome: str
    top_id: str | None
    author: str = ""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """Similar misses grouped into one thing to review."""

    id: int
    key: str
    title: str
    count: int
    first_seen: str
    last_seen: str
    examples: tuple[ReviewExample, ...]
    kinds: tuple[str, ...]
    platforms: tuple[str, ...]
    top_entry: str | None
    status: str = "open"
    codes: tuple[tuple[str, int], ...] = ()


Teach = Literal["alias", "pattern", "error"]
TEACH: tuple[Teach, ...] = ("alias", "pattern", "error")


class ReviewQueue(Protocol):
    """The review queue's methods the dashboard calls (a subset of ``bot.review.ReviewQueue``)."""

    async def items(self, scope: ReviewScope, limit: int = 50) -> list[ReviewItem]: ...
    async def item(self, item_id: int, scope: ReviewScope) -> ReviewItem: ...
    async def suggestions(self, item_id: int, limit: int = 5) -> list[Match]: ...
    async def draft_entry(self, item_id: int) -> Entry: ...
    async def teach(self, item_id: int, entry_id: str, actor: str, what: Teach = "alias") -> Revision: ...
    async def create(self, item_id: int, entry: Entry, actor: str) -> Revision: ...
    async def dismiss(self, item_id: int, actor: str, reason: str) -> None: ...
