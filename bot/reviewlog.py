"""Recording misses for the review queue, and grouping similar ones into one item.

A miss that names an error key joins the open item for that key (the first key the message
names). Any other joins the open item of similar questions whose texts are closest by word
similarity (rapidfuzz ``token_set_ratio`` over the engine's own index terms), or starts a new
one. The work is bounded: at most :data:`CANDIDATES` items, a few texts each, and each text
cut to :data:`TERMS_CHARS` characters and :data:`MAX_TERMS` terms.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from bot.store.base import ReviewRecord, Store, StoreError
from bot.text import terms

log = logging.getLogger(__name__)

QUESTION_KEY = "question"
SIMILAR = 80  # token_set_ratio (0-100) at which two questions are one item
CANDIDATES = 200
TERMS_CHARS = 2000
MAX_TERMS = 40

Code = tuple[str | None, int]


def code_key(domain: str | None, code: int) -> str:
    """``NSURLErrorDomain:-1009``; a code without a domain is ``-1009``."""
    return f"{domain}:{code}" if domain else str(code)


@lru_cache(maxsize=4096)  # the same candidate texts are compared with every new miss
def word_set(text: str) -> frozenset[str]:
    """The distinct index terms of the start of ``text`` (stems, no stop words)."""
    out: list[str] = []
    for t in terms(text[:TERMS_CHARS]):
        if t not in out:
            out.append(t)
            if len(out) >= MAX_TERMS:
                break
    return frozenset(out)


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two questions are one when their words mostly agree and neither is far longer (a one-word
    question is not "the same" as every paste that contains the word)."""
    if not a or not b:
        return False
    small, large = sorted((a, b), key=len)
    if len(large) > 2 * len(small) + 2:
        return False
    return fuzz.token_set_ratio(" ".join(sorted(a)), " ".join(sorted(b))) >= SIMILAR


async def group_of(store: Store, text: str, codes: Sequence[Code]) -> tuple[int | None, str]:
    """(the open item a miss joins, or None for a new one; the key of that item)."""
    if codes:
        key = code_key(*codes[0])
        return await store.find_review_item(key), key
    words = word_set(text)
    best: tuple[float, int] | None = None
    for item_id, texts in await store.review_texts(CANDIDATES):
        for other in texts:
            theirs = word_set(other)
            if similar(words, theirs):
                score = fuzz.token_set_ratio(" ".join(sorted(words)), " ".join(sorted(theirs)))
                if best is None or score > best[0]:
                    best = (score, item_id)
    return (best[1] if best else None), QUESTION_KEY


async def record(store: Store, rec: ReviewRecord, codes: Sequence[Code]) -> int | None:
    """Record one miss in its item; returns the item id. A store failure is logged, never
    raised: the answer the asker is waiting for matters more than the review queue."""
    try:
        item_id, key = await group_of(store, rec.text, codes)
        return await store.add_review(rec, item_id, key, [(d or "", c) for d, c in codes[:5]])
    except StoreError:
        log.exception("could not record a miss for review")
        return None
