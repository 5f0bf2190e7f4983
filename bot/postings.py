"""The word index: BM25F-style impacts per term, built in bulk steps that run in C.

Entries are counted in raw tokens, not in index terms: a raw token (``Sockets``,
``NEPacketTunnelProvider``) is expanded to its terms once per index instead of once per
occurrence, and per-entry counting and posting appends run as ``Counter`` and ``map`` calls
rather than one Python statement per posting (that made a build cost ~2 s per 10k entries).
Only a term that several raw tokens feed (``socket`` from ``socket``, ``Sockets`` and
``NESocketFilter``) is merged per posting in Python. The postings are exactly those of
counting terms directly: the same documents in the same order with the same impacts.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from itertools import chain, repeat
from operator import add, mul, truediv
from typing import Any, cast

from bot.models import Entry
from bot.text import expand, tokens

# A word in a title or a name (alias, tag, symbol) says more than one in the body.
TITLE_WEIGHT = 3.0
NAMES_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.5
K1 = 1.2
B = 0.75
# Very common terms keep only their strongest postings, so a query costs the same at 100k entries.
MAX_POSTINGS = 400
# Entries whose postings are gathered in lists before they are packed into arrays: big enough
# that packing costs little per posting, small enough that the lists stay a few MB.
CHUNK = 4096
# Whole weights are counted in C by repeating a field's tokens.
_TITLE, _NAMES = round(TITLE_WEIGHT), round(NAMES_WEIGHT)

Postings = dict[str, tuple["array[int]", "array[float]"]]


def weighted_fields(e: Entry) -> tuple[str, str, str]:
    """Title, names (aliases, tags and symbols share one weight) and summary; the body is apart."""
    names = " ".join((*e.aliases, *e.tags, *(err.symbol for err in e.errors)))
    return e.title, names, e.summary


class _Widths(dict[str, int]):
    """Raw token -> how many index terms it expands to, learned the first time a token is looked up.

    One C lookup per posting both learns new tokens and gives the widths that entry lengths sum.
    """

    def __missing__(self, token: str) -> int:
        width = self[token] = len(expand(token))
        return width


def build_postings(
    entries: tuple[Entry, ...], shadowed: frozenset[int], chunk: int = CHUNK
) -> tuple[dict[str, float], Postings]:
    """Inverse document frequencies and impact-ordered postings of every term.

    ``shadowed`` entries count for lengths but get no postings. Every ``chunk`` entries the
    appended postings move into typed arrays (a parameter so tests can cross chunk borders).
    """
    n = len(entries)
    widths = _Widths()
    # Per raw token, flat: doc id, weighted count, doc id, weighted count, ... (lists: an array
    # parses every element it takes, which cost more than the rest of the append). The lists hold
    # one chunk; ``packed`` holds the postings before it, at 8 bytes each instead of 16 (plus a
    # float object for most summary words), so peak memory stays that of typed arrays.
    raw: defaultdict[str, list[float]] = defaultdict(list)
    packed: dict[str, tuple[array[int], array[float]]] = {}
    lengths = array("f")
    for i, e in enumerate(entries):
        counts = _counts(e)
        sizes = list(map(widths.__getitem__, counts))
        if 0 in sizes:  # stopwords, numbers, one letter: no terms, so no length and no postings
            for token in [t for t, size in zip(counts, sizes, strict=True) if not size]:
                del counts[token]
            sizes = [size for size in sizes if size]
        # Weighted counts are multiples of 0.5, so this sum is exact in any order.
        lengths.append(sum(map(mul, sizes, counts.values())))
        if i not in shadowed:
            deque(map(list.extend, map(raw.__getitem__, counts), zip(repeat(i), counts.values())), maxlen=0)
        if i % chunk == chunk - 1:
            _pack(raw, packed)
    _pack(raw, packed)
    avg = (sum(lengths) / n) if n else 1.0
    norms = [K1 * (1 - B + B * length / avg) for length in lengths]
    catalog = {i for i, e in enumerate(entries) if not e.curated}
    idf: dict[str, float] = {}
    postings: Postings = {}
    for term, sources in _sources(packed).items():
        kept, docs, tfs = _merged(sources)
        w = idf[term] = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
        impacts = _impacts(w, docs, tfs, norms, catalog)
        if len(impacts) > MAX_POSTINGS:
            order = sorted(range(len(impacts)), key=impacts.__getitem__, reverse=True)[:MAX_POSTINGS]
            docs = [docs[k] for k in order]
            impacts = [impacts[k] for k in order]
            kept = None
        postings[term] = (_packed("i", docs) if kept is None else kept, _packed("f", impacts))
    return idf, postings


def _pack(raw: dict[str, list[float]], packed: dict[str, tuple[array[int], array[float]]]) -> None:
    """Move the flat postings of ``raw`` onto the ends of the typed arrays in ``packed``; empty ``raw``."""
    for token, pairs in raw.items():
        arrays = packed.get(token)
        if arrays is None:
            arrays = packed[token] = (array("i"), array("f"))
        arrays[0].frombytes(struct.pack(f"{len(pairs) // 2}i", *pairs[0::2]))
        arrays[1].frombytes(struct.pack(f"{len(pairs) // 2}f", *pairs[1::2]))
    raw.clear()


def _packed(code: str, values: list[int] | list[float]) -> array[Any]:
    """``array(code, values)`` the fast way: array parses each item with PyArg_Parse, struct does not."""
    return array(code, struct.pack(f"{len(values)}{code}", *values))


def _impacts(w: float, docs: list[int], tfs: list[float], norms: list[float], catalog: set[int]) -> list[float]:
    """damp * w * tf * (K1 + 1) / (tf + norm) per posting, the same operations in the same order."""
    k1p = K1 + 1
    if not catalog.isdisjoint(docs):
        # Catalog rows are one-liners: their impact is damped.
        return [
            (0.5 if d in catalog else 1.0) * w * tf * k1p / (tf + norms[d]) for d, tf in zip(docs, tfs, strict=True)
        ]
    # No damping: every step runs in C (tfs come from float arrays, so a table keyed by tf would
    # hash a float per posting, which costs more than the two multiplications).
    tops = map(mul, map(mul, repeat(1.0 * w), tfs), repeat(k1p))
    return list(map(truediv, tops, map(add, tfs, map(norms.__getitem__, docs))))


def _counts(e: Entry) -> dict[str, float]:
    """Raw token -> weighted count: the title, names and body counted in C, the summary added on top."""
    title, names, summary = weighted_fields(e)
    counts = cast("dict[str, float]", Counter(chain(tokens(e.body), tokens(title) * _TITLE, tokens(names) * _NAMES)))
    get = counts.get
    for token in tokens(summary):
        counts[token] = get(token, 0) + SUMMARY_WEIGHT
    return counts


def _sources(
    packed: dict[str, tuple[array[int], array[float]]],
) -> dict[str, list[tuple[array[int], array[float], int]]]:
    """Term -> the raw postings that feed it, with how many times the raw token yields the term."""
    out: defaultdict[str, list[tuple[array[int], array[float], int]]] = defaultdict(list)
    for token, (docs, tfs) in packed.items():
        terms = expand(token)
        many: Iterable[tuple[str, int]] = (
            Counter(terms).items() if len(set(terms)) < len(terms) else zip(terms, repeat(1))
        )
        for term, times in many:
            out[term].append((docs, tfs, times))
    return out


def _merged(sources: list[tuple[array[int], array[float], int]]) -> tuple[array[int] | None, list[int], list[float]]:
    """Doc ids (ascending) and weighted counts of one term, summed over its raw tokens.

    Lists, so the several passes over them do not box every number again; and the doc id array
    when one raw token alone feeds the term (shared by every such term: postings are read-only).
    """
    if len(sources) == 1 and sources[0][2] == 1:
        docs, tfs, _ = sources[0]
        return docs, docs.tolist(), tfs.tolist()
    merged: dict[int, float] = {}
    get = merged.get
    for docs, tfs, times in sources:
        for d, tf in zip(docs.tolist(), tfs.tolist(), strict=True):
            merged[d] = get(d, 0) + tf * times
    order = sorted(merged)
    return None, order, [merged[d] for d in order]
