"""The word index: bulk counting in raw tokens gives exactly the postings of counting terms."""

from __future__ import annotations

import math
import random
from array import array

import pytest

from bot.models import Entry, ErrorRef
from bot.postings import CHUNK, K1, MAX_POSTINGS, NAMES_WEIGHT, SUMMARY_WEIGHT, TITLE_WEIGHT, B, build_postings
from bot.text import terms

WORDS = [
    "socket",
    "Sockets",
    "cookies",
    "cookie",
    "entries",
    "entry",
    "NEPacketTunnelProvider",
    "nw_connection_start",
    "the",
    "and",
    "of",
    "443",
    "a",
    "I",
    "URLSession",
    "URLSessions",
    "NSURLErrorDomain",
    "kCFStreamErrorDomainSSL",
    "SocketSocket",
    "HTTP3",
    "IPv6",
    "x2",
    "未能找到",
    "接続",
    "Прокси",
    "proxies",
    "ProxyProvider",
    "handleNewFlow",
    "NEFilterFlow",
    "entitlement",
    "entitlements",
    "flows",
]


def _reference(entries: tuple[Entry, ...], shadowed: frozenset[int]) -> dict[str, tuple[float, list[int], list[float]]]:
    """The plain algorithm: weighted term counts per entry, then BM25 impacts per posting: idf, docs, impacts."""
    n = len(entries)
    per_doc = []
    for e in entries:
        counts: dict[str, float] = {}
        names = " ".join((*e.aliases, *e.tags, *(err.symbol for err in e.errors)))
        for text, weight in (
            (e.body, 1.0),
            (e.title, TITLE_WEIGHT),
            (names, NAMES_WEIGHT),
            (e.summary, SUMMARY_WEIGHT),
        ):
            for term in terms(text):
                counts[term] = counts.get(term, 0.0) + weight
        per_doc.append(counts)
    lengths = [float(array("f", [sum(c.values())])[0]) for c in per_doc]
    avg = sum(lengths) / n
    norms = [K1 * (1 - B + B * length / avg) for length in lengths]
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, counts in enumerate(per_doc):
        if i not in shadowed:
            for term, tf in counts.items():
                postings.setdefault(term, []).append((i, tf))
    out = {}
    for term, items in postings.items():
        idf = math.log(1 + (n - len(items) + 0.5) / (len(items) + 0.5))
        scored = [(d, (1.0 if entries[d].curated else 0.5) * idf * tf * (K1 + 1) / (tf + norms[d])) for d, tf in items]
        scored = (
            sorted(scored, key=lambda di: di[1], reverse=True)[:MAX_POSTINGS] if len(scored) > MAX_POSTINGS else scored
        )
        out[term] = (idf, [d for d, _ in scored], list(array("f", [s for _, s in scored])))
    return out


def _entries(n: int, seed: int) -> tuple[Entry, ...]:
    rng = random.Random(seed)

    def text(k: int) -> str:
        return " ".join(rng.choices(WORDS, k=rng.randint(0, k)))

    return tuple(
        Entry(
            id=f"e{i:04d}",
            kind="reference" if i % 5 == 0 else "howto",
            title=text(6),
            summary=text(12),
            body=text(80) + ("\nError: -1009 (NSURLErrorDomain)" if i % 4 == 0 else ""),
            errors=(ErrorRef("NSURLErrorDomain", -1000 - i, f"NSURLErrorThing{i}"),) if i % 3 == 0 else (),
            aliases=(text(4),),
            tags=tuple(rng.choices(WORDS, k=2)),
            catalog="nsurl" if i % 5 == 0 else "",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("chunk", [CHUNK, 1, 7, 64])
def test_postings_equal_the_plain_algorithm(chunk: int) -> None:
    # Enough entries that common terms pass MAX_POSTINGS and get cut to their strongest postings;
    # small chunks pack the gathered postings into arrays many times on the way.
    entries = _entries(MAX_POSTINGS + 150, seed=5)
    shadowed = frozenset(range(0, len(entries), 10))  # some catalog rows
    idf, postings = build_postings(entries, shadowed, chunk)
    want = _reference(entries, shadowed)
    assert set(postings) == set(want) == set(idf)
    assert any(len(docs) == MAX_POSTINGS for docs, _ in postings.values())
    for term, (docs, impacts) in postings.items():
        assert (idf[term], list(docs), list(impacts)) == want[term], term


def test_no_entries_no_postings() -> None:
    assert build_postings((), frozenset()) == ({}, {})


@pytest.mark.parametrize("shadowed", [frozenset(), frozenset(range(0, 40)) | frozenset(range(100, 300, 3))])
def test_postings_do_not_depend_on_the_chunk_size(shadowed: frozenset[int]) -> None:
    # Shadowed entries first: a token they hold enters the postings where a later entry first
    # uses it, so terms keep the order of counting one entry at a time (chunk 1).
    entries = _entries(300, seed=11)
    one_by_one = build_postings(entries, shadowed, 1)
    for chunk in (5, 64, CHUNK):
        idf, postings = build_postings(entries, shadowed, chunk)
        assert list(idf.items()) == list(one_by_one[0].items())
        assert list(postings) == list(one_by_one[1])
        assert all(postings[t] == one_by_one[1][t] for t in postings)


def test_entries_without_words_have_no_postings_but_count() -> None:
    entries = _entries(30, seed=2)
    empty = [Entry(id=f"z{i}", kind="howto", title="the", summary="", body="a 443 of") for i in range(5)]
    idf, postings = build_postings((*entries, *empty), frozenset())
    ids = {d for docs, _ in postings.values() for d in docs}
    assert ids.isdisjoint(range(30, 35))
    want = _reference((*entries, *empty), frozenset())
    assert {t: (idf[t], list(d), list(s)) for t, (d, s) in postings.items()} == want


@pytest.mark.parametrize("nul", ["", "\0"])
def test_ascii_texts_tokenized_together_as_one_by_one(nul: str) -> None:
    # ASCII texts are split in one call, NUL-separated; a NUL inside a text must not shift them.
    ascii_words = [w for w in WORDS if w.isascii()]
    rng = random.Random(3)
    entries = tuple(
        Entry(
            id=f"a{i}",
            kind="howto",
            title=" ".join(rng.choices(ascii_words, k=3)),
            summary=" ".join(rng.choices(ascii_words, k=5)),
            body=nul.join(rng.choices(ascii_words, k=20)) if i == 7 else " ".join(rng.choices(ascii_words, k=20)),
        )
        for i in range(40)
    )
    idf, postings = build_postings(entries, frozenset())
    want = _reference(entries, frozenset())
    assert {t: (idf[t], list(d), list(s)) for t, (d, s) in postings.items()} == want
