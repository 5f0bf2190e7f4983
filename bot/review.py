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

import contextlib
import re
from dataclasses import replace
from typing import Literal

from bot.curator import Curator
from bot.engine import Engine
from bot.models import (
    Entry,
    ErrorRef,
    Match,
    NotFound,
    ReviewExample,
    ReviewItem,
    ReviewScope,
    Revision,
    SupportBotError,
)
from bot.text import STOPWORDS

__all__ = ["ReviewExample", "ReviewItem", "ReviewQueue", "ReviewScope", "Teach", "key_phrase"]

Teach = Literal["alias", "pattern", "error"]
TEACH: tuple[Teach, ...] = ("alias", "pattern", "error")
TITLE_MAX = 100
PHRASE_MAX = 80
ID_WORDS = 6
# Names as code spells them (URLSession, kCFStreamErrorDomainSSL, NWPathMonitor): worth a pattern.
_IDENT_RE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*[a-z][A-Z][A-Za-z0-9_]*\b")
_SLUG_WORD_RE = re.compile(r"[a-z0-9]+")
PURGED_TITLE = "(question text removed after the retention period)"


def key_phrase(text: str, limit: int = PHRASE_MAX) -> str:
    """A question's first non-empty line, whitespace folded, cut at a word boundary."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    words = " ".join(line.split()).strip(" ?.!:")
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut or words[:limit]


def identifiers(text: str, limit: int = 3) -> list[str]:
    """Code-like names in ``text`` (camel case, 8 characters or more), first seen first."""
    found = dict.fromkeys(m for m in _IDENT_RE.findall(text[:4000]) if len(m) >= 8)
    return list(found)[:limit]


def _question(item: ReviewItem) -> str:
    return next((e.text for e in item.examples if e.text.strip()), "")


def title_of(item: ReviewItem) -> str:
    """The newest question's first line; the error key when the texts were purged."""
    phrase = key_phrase(_question(item), TITLE_MAX)
    if phrase:
        return phrase
    return item.key if item.codes else PURGED_TITLE


class ReviewQueue:
    """The review queue over one engine (reads) and its curator (knowledge writes)."""

    def __init__(self, engine: Engine, curator: Curator) -> None:
        self.engine = engine
        self.curator = curator
        self.store = engine.store

    async def items(self, scope: ReviewScope, limit: int = 50) -> list[ReviewItem]:
        """Open items visible in ``scope``, most hit first (counts and examples within ``scope``)."""
        rows = await self.store.review_items(scope, max(1, min(limit, 500)))
        return [replace(i, title=title_of(i)) for i in rows]

    async def item(self, item_id: int, scope: ReviewScope) -> ReviewItem:
        """One item as ``scope`` sees it, in any status; :class:`NotFound` when it has nothing there."""
        rows = await self.store.review_items(scope, 1, item_id=item_id, examples=5)
        if not rows:
            raise NotFound(f"no review item {item_id}")
        return replace(rows[0], title=title_of(rows[0]))

    async def _open(self, item_id: int) -> ReviewItem:
        item = await self.item(item_id, ReviewScope.everything())
        if item.status != "open":
            raise SupportBotError(f"review item {item_id} was already handled ({item.status})")
        return item

    async def suggestions(self, item_id: int, limit: int = 5) -> list[Match]:
        """The entries the engine ranks for the item's question: candidates to teach."""
        item = await self.item(item_id, ReviewScope.everything())
        text = _question(item) or " ".join(f"{d} {c}" for d, c in item.codes)
        return [m for m in self.engine.search(text).matches if m.entry.curated][:limit]

    def _unique_id(self, title: str) -> str:
        # The words that say what it is about: "how do I pin a certificate" -> "pin-certificate".
        words = [w for w in _SLUG_WORD_RE.findall(title.lower()) if w not in STOPWORDS and len(w) > 1][:ID_WORDS]
        base = "-".join(words)[:60].strip("-") or "new-entry"
        taken = {e.id for e in self.engine.index.entries}
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _error_refs(self, codes: tuple[tuple[str, int], ...]) -> tuple[ErrorRef, ...]:
        """Error keys of known domains; "related" when another entry already claims the key."""
        known = {d.name for d in self.engine.domains.domains}
        claimed = {err.key for e in self.engine.index.entries if e.curated for err in e.errors if err.role == "primary"}
        return tuple(ErrorRef(d, c, "", "related" if (d, c) in claimed else "primary") for d, c in codes if d in known)

    async def draft_entry(self, item_id: int) -> Entry:
        """A new entry prefilled from the item: title from the question, error keys and
        patterns from what was extracted. Not saved; an admin edits it in the entry form
        (the summary is left for them to write)."""
        item = await self.item(item_id, ReviewScope.everything())
        question = _question(item)
        errors = self._error_refs(item.codes)
        phrase = key_phrase(question)
        return Entry(
            id=self._unique_id(item.title),
            kind="error" if errors else "howto",
            title=key_phrase(question, TITLE_MAX) or item.title,
            summary="",
            errors=errors,
            aliases=(phrase,) if phrase and not errors else (),
            patterns=tuple(identifiers(question)),
        )

    async def draft_from_thread(self, question: str, reply: str, author: str) -> tuple[Entry, str]:
        """An entry drafted from a help thread (its question, and a reply as the body) and the
        revision reason crediting the reply's ``author``."""
        codes = tuple((c.domain or "", c.code) for c in self.engine.search(question).extraction.codes)
        errors = self._error_refs(tuple(dict.fromkeys(codes)))
        title = key_phrase(question, TITLE_MAX) or "New entry"
        summary = key_phrase(reply, 200)
        entry = Entry(
            id=self._unique_id(title),
            kind="error" if errors else "howto",
            title=title,
            summary=summary,
            body=reply.strip(),
            errors=errors,
            aliases=(key_phrase(question),) if key_phrase(question) and not errors else (),
            patterns=tuple(identifiers(question)),
        )
        return entry, f"from a reply by {author} in a help thread"

    def _lesson(self, item: ReviewItem, entry: Entry, what: Teach) -> tuple[Entry, str]:
        """The entry with what the item teaches added, and a description of it."""
        question = _question(item)
        if what == "error":
            refs = [r for r in self._error_refs(item.codes) if r.key not in {e.key for e in entry.errors}]
            if not refs:
                raise SupportBotError("this item names no new error key of a known domain; teach an alias instead")
            return replace(entry, errors=(*entry.errors, refs[0])), f"error {refs[0].domain} {refs[0].code}"
        if what == "pattern":
            value = next((i for i in identifiers(question) if i not in entry.patterns), "") or key_phrase(question)
            field = entry.patterns
        else:
            value, field = key_phrase(question), entry.aliases
        if not value:
            raise SupportBotError("this item's question text is gone (retention period); nothing to teach")
        if value.casefold() in (v.casefold() for v in field):
            raise SupportBotError(f"'{entry.id}' already has the {what} '{value}'")
        if what == "pattern":
            return replace(entry, patterns=(*entry.patterns, value)), f"pattern '{value}'"
        return replace(entry, aliases=(*entry.aliases, value)), f"alias '{value}'"

    async def teach(self, item_id: int, entry_id: str, actor: str, what: Teach = "alias") -> Revision:
        """Add the item's key phrase (``alias`` / ``pattern``) or error key (``error``) to an
        existing entry, after the usual checks; the item leaves the queue."""
        if what not in TEACH:
            raise SupportBotError(f"teach one of: {', '.join(TEACH)}")
        item = await self._open(item_id)
        entry = await self.engine.get_entry(entry_id)
        if not entry.curated:
            raise SupportBotError(f"'{entry_id}' is a catalog row; teach a curated entry")
        taught, what_done = self._lesson(item, entry, what)
        rev = await self.curator.save_entry(taught, actor, f"review item #{item_id}: {what_done}", create=False)
        await self._close(item_id, "taught", actor, f"{entry_id}: {what_done}")
        return rev

    async def create(self, item_id: int, entry: Entry, actor: str) -> Revision:
        """Add ``entry`` (usually an edited draft) as a new entry; the item leaves the queue."""
        await self._open(item_id)
        rev = await self.curator.save_entry(entry, actor, f"from review item #{item_id}", create=True)
        await self._close(item_id, "created", actor, entry.id)
        return rev

    async def dismiss(self, item_id: int, actor: str, reason: str) -> None:
        """Take the item off the queue (off-topic, noise), recording who and why."""
        await self._open(item_id)
        await self.store.close_review_item(item_id, "dismissed", actor, reason.strip() or "no reason given")

    async def _close(self, item_id: int, status: str, actor: str, detail: str) -> None:
        # Someone else may have acted on it at the same moment; the knowledge change stands.
        with contextlib.suppress(NotFound):
            await self.store.close_review_item(item_id, status, actor, detail)
