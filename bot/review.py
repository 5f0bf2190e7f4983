"""The maintainers' review queue: what the bot missed, grouped, and the three ways to act on it.

Misses are recorded by the engine (:mod:`bot.reviewlog`): questions that got nothing, only
suggestions or an unknown code, answers marked "Not helpful", and "Not this?" clicks. Similar
misses form one item. A maintainer creates an entry from an item (from a prefilled draft),
teaches an existing entry (an alias, pattern or error key, through the Curator, so it is a
normal revision with its actor), or dismisses it (a review event with the actor and reason).
An item acted on leaves the queue.

This module is the interface the terminal, the chat adapters and the web dashboard use.
"""

from __future__ import annotations

from typing import Literal

from bot.curator import Curator
from bot.engine import Engine
from bot.models import Entry, Match, ReviewExample, ReviewItem, ReviewScope, Revision

__all__ = ["ReviewExample", "ReviewItem", "ReviewQueue", "ReviewScope", "Teach"]

Teach = Literal["alias", "pattern", "error"]


class ReviewQueue:
    """The review queue over one engine (reads) and its curator (knowledge writes)."""

    def __init__(self, engine: Engine, curator: Curator) -> None:
        self.engine = engine
        self.curator = curator
        self.store = engine.store

    async def items(self, scope: ReviewScope, limit: int = 50) -> list[ReviewItem]:
        """Open items visible in ``scope``, most hit first (counts and examples within ``scope``)."""
        raise NotImplementedError

    async def item(self, item_id: int, scope: ReviewScope) -> ReviewItem:
        """One item as ``scope`` sees it; :class:`bot.models.NotFound` when it has nothing there."""
        raise NotImplementedError

    async def suggestions(self, item_id: int, limit: int = 5) -> list[Match]:
        """The entries the engine ranks for the item's question: candidates to teach."""
        raise NotImplementedError

    async def draft_entry(self, item_id: int) -> Entry:
        """A new entry prefilled from the item: title from the question, error keys and
        patterns from what was extracted. Not saved; an admin edits it in the entry form."""
        raise NotImplementedError

    async def teach(self, item_id: int, entry_id: str, actor: str, what: Teach = "alias") -> Revision:
        """Add the item's key phrase (``alias`` / ``pattern``) or error key (``error``) to an
        existing entry, after the usual checks; the item leaves the queue."""
        raise NotImplementedError

    async def create(self, item_id: int, entry: Entry, actor: str) -> Revision:
        """Add ``entry`` (usually an edited draft) as a new entry; the item leaves the queue."""
        raise NotImplementedError

    async def dismiss(self, item_id: int, actor: str, reason: str) -> None:
        """Take the item off the queue (off-topic, noise), recording who and why."""
        raise NotImplementedError

    async def purge(self, retention_days: int) -> int:
        """Drop the text and user ids of records older than ``retention_days`` (counts stay);
        returns how many records were emptied."""
        raise NotImplementedError


def draft_from_reply(question: str, reply: str, author: str) -> tuple[Entry, str]:
    """An entry drafted from a help thread: the thread's question as the title, a reply as the
    body; with the revision reason that credits the reply's ``author``."""
    raise NotImplementedError
