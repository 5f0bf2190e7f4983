"""An in-memory review queue with the dashboard's ReviewQueue protocol (not a mock): items
are held in a dict, and create/teach write through the real curator, so the knowledge base
really changes and the revision records the actor."""

from __future__ import annotations

from dataclasses import replace

from adapters.web.reviewport import ReviewExample, ReviewItem, ReviewScope, Teach
from bot.curator import Curator
from bot.engine import Engine
from bot.models import Entry, ErrorRef, Match, NotFound, Revision, SupportBotError


def miss(item_id: int, text: str, codes: tuple[tuple[str, int], ...] = (), platform: str = "discord") -> ReviewItem:
    """An open item with one recorded question."""
    example = ReviewExample("nothing", text, platform, "g1", "c1", "2026-12-01T10:00:00+00:00", "nothing", None)
    key = f"{codes[0][0]}:{codes[0][1]}" if codes else "question"
    return ReviewItem(
        item_id, key, text.splitlines()[0][:100], 3, example.at, example.at, (example,), ("nothing",), (platform,),
        None, codes=codes,
    )  # fmt: skip


class FakeReviewQueue:
    def __init__(self, engine: Engine, curator: Curator, items: list[ReviewItem]) -> None:
        self.engine = engine
        self.curator = curator
        self.held = {i.id: i for i in items}
        self.closed: list[tuple[int, str, str, str]] = []  # (item, status, actor, detail)

    async def items(self, scope: ReviewScope, limit: int = 50) -> list[ReviewItem]:
        return [i for i in self.held.values() if i.status == "open"][:limit]

    async def item(self, item_id: int, scope: ReviewScope) -> ReviewItem:
        if item_id not in self.held:
            raise NotFound(f"no review item {item_id}")
        return self.held[item_id]

    async def suggestions(self, item_id: int, limit: int = 5) -> list[Match]:
        item = await self.item(item_id, ReviewScope.everything())
        return [m for m in self.engine.search(item.examples[0].text).matches if m.entry.curated][:limit]

    async def draft_entry(self, item_id: int) -> Entry:
        item = await self.item(item_id, ReviewScope.everything())
        slug = "-".join(item.title.lower().split()[:4]).strip("-?.") or "new-entry"
        errors = tuple(ErrorRef(d, c) for d, c in item.codes)
        return Entry(slug, "error" if errors else "howto", item.title, "", errors=errors, aliases=(item.title,))

    def _close(self, item_id: int, status: str, actor: str, detail: str) -> None:
        item = self.held[item_id]
        if item.status != "open":
            raise SupportBotError(f"review item {item_id} was already handled ({item.status})")
        self.held[item_id] = replace(item, status=status)
        self.closed.append((item_id, status, actor, detail))

    async def teach(self, item_id: int, entry_id: str, actor: str, what: Teach = "alias") -> Revision:
        item = await self.item(item_id, ReviewScope.everything())
        entry = await self.engine.get_entry(entry_id)
        taught = replace(entry, aliases=(*entry.aliases, item.title))
        rev = await self.curator.save_entry(taught, actor, f"review item #{item_id}: {what}", create=False)
        self._close(item_id, "taught", actor, entry_id)
        return rev

    async def create(self, item_id: int, entry: Entry, actor: str) -> Revision:
        await self.item(item_id, ReviewScope.everything())
        rev = await self.curator.save_entry(entry, actor, f"from review item #{item_id}", create=True)
        self._close(item_id, "created", actor, entry.id)
        return rev

    async def dismiss(self, item_id: int, actor: str, reason: str) -> None:
        await self.item(item_id, ReviewScope.everything())
        self._close(item_id, "dismissed", actor, reason)
