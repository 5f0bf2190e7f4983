"""The word part of a search: BM25 over the question's terms, and the words reason of a match.

Kept apart from :mod:`bot.rank` because it is the hot loop of a search: every posting of every
query term passes through :func:`word_query`, so work here is counted per posting.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.extract import Extraction
from bot.index import Index
from bot.text import is_cjk
from bot.wordscore import WordScores, word_scores

WORDS_CAP = 0.72
WORDS_HALF = 20.0  # BM25 score at which word evidence reaches half of its cap
WORDS_RELATIVE = 1.0  # how hard entries behind the best word match are pushed down
WORD_CANDIDATES = 50  # entries the words can put forward
MAX_QUERY_TERMS = 48
MAX_FUZZY = 6
FUZZY_MAX_TEXT = 20_000


def term_weight(times: int) -> float:
    """The weight of a query term the question has ``times`` times: repeats count, up to a point."""
    return 1.0 + 0.3 * min(times - 1, 3)


# term_weight of the usual counts, looked up: computing it for each of a question's terms cost more
# than the rest of choosing them. Every weight is above zero, so ``or`` falls back on a miss only.
TERM_WEIGHTS = {times: term_weight(times) for times in range(1, 5)}


@dataclass
class WordQuery:
    """The weighted query terms, kept so reasons can be written for the final matches only."""

    terms: list[tuple[str, float]]
    typos: dict[str, str]  # corrected identifier -> what was typed
    table: WordScores  # every entry's score over ``terms``
    ceiling: float = 0.0  # the sum of each term's best impact (see SearchResult.word_ceiling)
    # The best score, kept apart: :meth:`strength` reads it for every candidate a search weighs.
    _top: float = field(init=False, repr=False, default=0.0)

    def __post_init__(self) -> None:
        if self.table.best:
            self._top = self.table.best[0][1]

    @property
    def best(self) -> list[tuple[int, float]]:
        """The best WORD_CANDIDATES (entry, score), best first; of equal scores the first scored."""
        return self.table.best

    def reason(self, index: Index, entry: int) -> str:
        """ "words a, b, c (score 12.3)": the terms that scored most for ``entry``."""
        found = [(v, self.terms[n][0]) for v, n in self.table.contributions(entry)]
        found.sort(reverse=True)
        words = ", ".join(f"{t} (close to '{self.typos[t]}')" if t in self.typos else t for _, t in found[:5])
        return f"words {words} (score {self.score(entry) or 0.0:.1f})"

    def score(self, entry: int) -> float | None:
        """The entry's BM25 score over the question, None when it shares no term with it."""
        return self.table.score(entry)

    def strength(self, score: float) -> float:
        """The strength of word evidence with BM25 ``score`` (one of :attr:`best`'s)."""
        # Absolute strength says how much of the question matched; the ratio to the best
        # entry keeps near-misses from crowding a clear lexical winner.
        strength: float = WORDS_CAP * score / (score + WORDS_HALF) * (score / self._top) ** WORDS_RELATIVE
        return strength

    def strengths(self) -> list[tuple[int, float]]:
        """(entry, strength of its word evidence) for the best candidates, best first."""
        return [(i, self.strength(score)) for i, score in self.best]

    def mostly_bigrams(self, entry: int) -> bool:
        """Whether more than half of ``entry``'s word score comes from CJK bigrams (see SearchResult.bigrams)."""
        parts = self.table.contributions(entry)
        total = sum(v for v, _ in parts)
        cjk = sum(v for v, n in parts if is_cjk(self.terms[n][0]))
        return total > 0 and cjk * 2 > total

    def share(self, entry: int) -> float:
        """``entry``'s word score as a share of the best one (1.0 when nothing scored)."""
        if not self.best:
            return 1.0
        return min(1.0, (self.score(entry) or 0.0) / self.best[0][1])

    def lead(self, index: Index) -> tuple[str, float, float]:
        """The best word match, its BM25 score and the runner-up's: how far ahead the words put it."""
        if not self.best:
            return ("", 0.0, 0.0)
        second = self.best[1][1] if len(self.best) > 1 else 0.0
        return (index.entries[self.best[0][0]].id, self.best[0][1], second)


def corrected_identifiers(index: Index, ex: Extraction) -> dict[str, str]:
    """Typed identifiers with a typo ("NETransparantProxyProvidr") -> the identifier meant.

    The correction is added to the word query; exact identifiers need nothing special, since
    the word index already holds them whole.
    """
    if len(ex.text) > FUZZY_MAX_TEXT:
        return {}  # typos are a property of typed questions, not of pasted logs
    candidates = sorted(
        (t.lower() for t in ex.tokens if len(t) >= 12 and not t.isupper() and "_" not in t and t.isalnum()),
        key=len,
        reverse=True,
    )
    out: dict[str, str] = {}
    budget = MAX_FUZZY
    for token in candidates:
        if budget <= 0:
            break
        if token in index.identifiers or token in index.symbols or token in index.postings:
            continue
        bucket = index.ident_buckets.get(token[:2])
        if not bucket:
            continue
        budget -= 1
        best = process.extractOne(token, bucket, scorer=fuzz.ratio, score_cutoff=88)
        if best is not None:
            out[token] = best[0]
    return out


def word_query(index: Index, ex: Extraction) -> WordQuery:
    """BM25 scores of every entry sharing a term with the question, and the best of them."""
    raw = ex.token_counts
    if ex.pasted_log:
        # Every token of a log counts once, and only those the index knows can score: a set
        # intersection walks the index's few thousand words, not the log's 100k tokens. Short
        # tokens ("m5", "fd", "c3") are ids and base64 debris here. Sorted, so the query
        # never depends on the order a set happens to iterate in.
        known = sorted(t for t in index.surface & ex.lowered_tokens if len(t) > 3)
        raw = Counter(dict.fromkeys(known, 1))
    # Only terms the index knows can score: each token's are looked up once per index, so
    # the question's other terms are never counted.
    counts = index.term_counts(raw)
    corrections = corrected_identifiers(index, ex)
    postings = index.postings
    for meant in corrections.values():
        if meant in postings:
            counts[meant] = counts.get(meant, 0) + 1
    known = list(counts)
    # Keep the most distinctive terms so a pasted log costs no more than a question. A reversed
    # sort is stable too: terms of equal idf keep the question's order.
    known.sort(key=index.idf.__getitem__, reverse=True)
    weights = TERM_WEIGHTS
    terms = [(t, weights.get(counts[t]) or term_weight(counts[t])) for t in known[:MAX_QUERY_TERMS]]
    table = word_scores(postings, index.word_arrays, terms, WORD_CANDIDATES)
    ceiling = sum(index.ceiling(term) * weight for term, weight in terms)
    return WordQuery(terms, {meant: typo for typo, meant in corrections.items()}, table, ceiling)
