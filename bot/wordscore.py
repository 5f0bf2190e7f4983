"""Summing a question's word postings per entry: the hot loop of a search, run in C by numpy.

Every posting of every query term adds its impact (times the term's weight) to its entry's
score. Done as a Python dict update that is ~1300 interpreted steps per question; here it is
a dozen numpy calls whatever the number of postings. The additions are the same ones in the
same order (each entry's contributions in term order, from 0.0, in double precision), so the
scores are identical to the dict loop's, bit for bit: :class:`DictScores` is that loop, kept
for questions with only a few postings, where numpy's per-call overhead costs more than it saves.
:class:`ArrayScores` grows with the question's postings only, not the number of entries; for a
knowledge base of a few thousand entries :class:`DenseScores` adds into one array per entry instead,
which needs no sort.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import itemgetter
from typing import Protocol, cast

import numpy as np
from numpy.typing import NDArray

from bot.impacts import MAX_POSTINGS, Postings

# A posting's sort key: entry << SHIFT | its position among the question's postings. A question
# has at most MAX_QUERY_TERMS * MAX_POSTINGS (19,200) postings, far below 2**SHIFT; entry ids
# (C ints, < 2**31) shifted stay below 2**55.
SHIFT = 24
POSITION = (1 << SHIFT) - 1
# Below this many postings the plain dict loop is faster than numpy's fixed cost per call.
SMALL = 120
# Up to this many entries a question's scores are added into arrays as long as the index (a few
# microseconds per call at this size); beyond it, arrays as long as its postings cost less.
DENSE_ENTRIES = 4096


class TermArrays:
    """Per term, its postings as numpy arrays (shifted entry keys, impacts as doubles).

    Converted the first time a query uses the term: a question has a few dozen terms, and a
    pass over every term at build time would cost more than the searches that need it.
    """

    def __init__(self, postings: Postings, entries: int | None = None) -> None:
        self._postings = postings
        # How many entries the index has (the length of a dense score array); None: not known.
        self.entries = entries
        self._arrays: dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]] = {}
        self._dense: dict[tuple[str, float], tuple[bytes, bytes]] = {}
        self.positive = True  # every impact converted by dense() so far is above zero

    def get(self, term: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The term's (entry << SHIFT, impact) arrays, in posting order."""
        got = self._arrays.get(term)
        if got is None:
            ids, impacts = self._postings[term]
            keys = np.frombuffer(ids, dtype=np.intc).astype(np.int64) << SHIFT
            got = self._arrays[term] = (keys, np.frombuffer(impacts, dtype=np.single).astype(np.float64))
        return got

    def dense_parts(self, terms: list[tuple[str, float]]) -> list[tuple[bytes, bytes]]:
        """:meth:`dense` of every one of ``terms``, most of them read from the cache without a call."""
        found = self._dense
        return [found.get(pair) or self.dense(*pair) for pair in terms]

    def dense(self, term: str, weight: float = 1.0) -> tuple[bytes, bytes]:
        """The term's entries (``intp``) and impacts times ``weight`` (doubles), in posting order, as
        :class:`DenseScores` reads them: the raw bytes, so that a question's are joined in one
        ``bytes.join`` (a fraction of the cost of ``np.concatenate`` over a score of small arrays).
        Made once per term and weight: the product is the one the dict loop computes."""
        got = self._dense.get((term, weight))
        if got is None:
            ids, impacts = self._postings[term]
            entries = np.frombuffer(ids, dtype=np.intc).astype(np.intp)
            values = np.frombuffer(impacts, dtype=np.single).astype(np.float64)
            # BM25 impacts are positive; should one ever not be, DenseScores tells scored entries
            # from the others by their postings instead of by a score above zero.
            if len(values) and not values.min() > 0.0:
                self.positive = False
            if weight != 1.0:
                values = values * weight
            got = self._dense[(term, weight)] = (entries.tobytes(), values.tobytes())
        return got


class WordScores(Protocol):
    """The scores of one question's terms: the best entries, and any entry's score and its parts."""

    best: list[tuple[int, float]]  # the best (entry, score), best first; of equal scores the first scored

    def score(self, entry: int) -> float | None:
        """The entry's BM25 score, None when it shares no term with the question."""

    def contributions(self, entry: int) -> list[tuple[float, int]]:
        """(impact * weight, term number) of every query term that scored for ``entry``."""


def word_scores(postings: Postings, arrays: TermArrays, terms: list[tuple[str, float]], limit: int) -> WordScores:
    """Every entry's score over the weighted ``terms``, and the ``limit`` best."""
    count = 0
    for term, _ in terms:
        count += len(postings[term][0])
        if count >= SMALL:  # a question's common terms alone pass it: the rest need not be counted
            break
    else:
        return DictScores(postings, terms, limit)
    if arrays.entries is not None and arrays.entries <= DENSE_ENTRIES:
        return DenseScores(postings, arrays, terms, limit)
    return ArrayScores(arrays, terms, limit)


class DictScores:
    """Scores summed as a dict update per posting: for questions with a few postings only."""

    def __init__(self, postings: Postings, terms: list[tuple[str, float]], limit: int) -> None:
        self._postings = postings
        self._terms = terms
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in terms:
            ids, impacts = postings[term]
            if weight == 1.0:  # most terms: s * 1.0 is s exactly, so the product is skipped
                for i, s in zip(ids, impacts, strict=True):
                    scores[i] = get(i, 0.0) + s
            else:
                for i, s in zip(ids, impacts, strict=True):
                    scores[i] = get(i, 0.0) + s * weight
        self._scores = scores
        # A stable sort keeps equal scores in the order they were first scored, as heapq.nlargest does.
        self.best = sorted(scores.items(), key=itemgetter(1), reverse=True)[:limit]

    def score(self, entry: int) -> float | None:
        """See :class:`WordScores`."""
        return self._scores.get(entry)

    def contributions(self, entry: int) -> list[tuple[float, int]]:
        """See :class:`WordScores`."""
        found = []
        for n, (term, weight) in enumerate(self._terms):
            ids, impacts = self._postings[term]
            # Postings shorter than MAX_POSTINGS are in ascending entry order (bot.postings): a
            # binary search finds the entry. The cut lists of very common terms are in impact order.
            if len(ids) < MAX_POSTINGS:
                k = bisect_left(ids, entry)
                if k == len(ids) or ids[k] != entry:
                    continue
            else:
                try:
                    k = ids.index(entry)
                except ValueError:
                    continue
            found.append((impacts[k] * weight, n))
        return found


class ArrayScores:
    """Scores summed in a fixed number of numpy calls, whatever the number of postings."""

    def __init__(self, arrays: TermArrays, terms: list[tuple[str, float]], limit: int) -> None:
        key_parts, impact_parts = [], []
        self._starts = starts = [0]  # where each term's postings begin in the question's
        for term, weight in terms:
            keys, impacts = arrays.get(term)
            key_parts.append(keys)
            impact_parts.append(impacts if weight == 1.0 else impacts * weight)
            starts.append(starts[-1] + len(keys))
        keys = np.concatenate(key_parts)
        n = len(keys)
        # Positions make every key unique, so the sort orders each entry's postings in term order:
        # the order the dict loop adds them in. Most terms' postings are ascending runs, which the
        # stable sort (timsort or radix) merges instead of sorting afresh: twice as fast as quicksort.
        keys += np.arange(n, dtype=np.int64)
        keys.sort(kind="stable")
        self._positions = positions = keys & POSITION
        self._ids = ids = keys >> SHIFT
        self._weighted = weighted = np.concatenate(impact_parts)
        first = np.empty(n, dtype=np.bool_)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        # bincount adds each bin's weights one by one in array order, from 0.0, as the dict loop
        # does (a ufunc reduction would sum pairwise: other roundings). Groups count from 1.
        sums = cast("NDArray[np.float64]", np.bincount(np.cumsum(first), weights=weighted[positions])[1:])
        self._entries = entries = ids[first]
        self._sums = sums
        # Best score first; of equal scores the entry whose first posting came first.
        order = np.lexsort((positions[first], -sums))[:limit]
        self.best = list(zip(entries[order].tolist(), sums[order].tolist(), strict=True))
        # The entries a search shows are nearly always among the best: a dict answers those
        # without a numpy call (each costs a microsecond or two, a dict lookup a few dozen ns).
        self._best: dict[int, float] = dict(self.best)

    def score(self, entry: int) -> float | None:
        """See :class:`WordScores`."""
        found = self._best.get(entry)
        if found is not None:
            return found
        k = int(self._entries.searchsorted(entry))
        if k == len(self._entries) or self._entries[k] != entry:
            return None
        return float(self._sums[k])

    def contributions(self, entry: int) -> list[tuple[float, int]]:
        """See :class:`WordScores`: the entry's postings are one run of the sorted keys."""
        ids = self._ids
        at = self._positions[int(ids.searchsorted(entry)) : int(ids.searchsorted(entry, "right"))]
        starts = self._starts
        return [(v, bisect_right(starts, p) - 1) for v, p in zip(self._weighted[at].tolist(), at.tolist(), strict=True)]


class DenseScores(DictScores):
    """Scores added into an array with one slot per entry: no sort, for knowledge bases of a few
    thousand entries (see DENSE_ENTRIES). Reasons are read from the postings as the dict loop does."""

    def __init__(self, postings: Postings, arrays: TermArrays, terms: list[tuple[str, float]], limit: int) -> None:
        self._postings = postings
        self._terms = terms
        parts = arrays.dense_parts(terms)
        ids = np.frombuffer(b"".join([entries for entries, _ in parts]), dtype=np.intp)
        impacts = np.frombuffer(b"".join([values for _, values in parts]), dtype=np.float64)
        n, size = len(ids), arrays.entries or 0
        # bincount adds each entry's impacts one by one in array order (term order), from 0.0: the
        # dict loop's additions, so the same doubles.
        self._sums = sums = np.bincount(ids, weights=impacts, minlength=size)
        if arrays.positive:
            # Impacts are positive, so an entry is scored exactly when its sum is above zero.
            self._scored: NDArray[np.bool_] | None = None
            scored = sums > 0.0
        else:
            self._scored = scored = np.bincount(ids, minlength=size) > 0
        values = sums[scored]
        if len(values) > limit:
            # Every entry at or above the limit-th best score is a candidate (ties included). The
            # partition runs over the scored entries only: over all of them, the unscored ones'
            # equal zeros make it many times slower. With positive impacts the bar is above zero,
            # so only scored entries reach it.
            top = sums >= np.partition(values, -limit)[-limit]
            if self._scored is not None:
                top &= scored
            candidates = top.nonzero()[0]
            values = sums[candidates]
        else:
            candidates = scored.nonzero()[0]
        # Best score first. Of equal scores the dict loop keeps the entry scored first: where each
        # was first scored is looked up only when two candidates tie, which few questions have.
        # The few dozen candidates are sorted as Python floats: fewer calls than numpy's sort.
        scores = values.tolist()
        if len(set(scores)) == len(scores):
            self.best = sorted(zip(candidates.tolist(), scores, strict=True), key=itemgetter(1), reverse=True)[:limit]
        else:
            first = np.full(size, n, dtype=np.intp)
            np.minimum.at(first, ids, np.arange(n, dtype=np.intp))
            best = candidates[np.lexsort((first[candidates], -values))[:limit]]
            self.best = list(zip(best.tolist(), sums[best].tolist(), strict=True))
        # As ArrayScores: the shown entries are nearly always among the best, read without numpy.
        self._best: dict[int, float] = dict(self.best)

    def score(self, entry: int) -> float | None:
        """See :class:`WordScores`."""
        found = self._best.get(entry)
        if found is not None:
            return found
        if not 0 <= entry < len(self._sums):
            return None
        if self._scored is None:
            value = float(self._sums[entry])
            return value if value > 0.0 else None
        return float(self._sums[entry]) if self._scored[entry] else None
