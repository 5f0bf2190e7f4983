"""The numpy word scores (sorted and dense) are the dict loop's, bit for bit: the same scores, best entries,
ties and reasons."""

from __future__ import annotations

from array import array

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.index import Index
from bot.postings import MAX_POSTINGS, Postings
from bot.wordscore import (
    DENSE_ENTRIES,
    SMALL,
    ArrayScores,
    DenseScores,
    DictScores,
    TermArrays,
    WordScores,
    word_scores,
)

from .core import Bundled

WEIGHTS = (1.0, 1.3, 1.6, 1.9)  # what bot.words gives a term seen 1, 2, 3 and 4+ times


def _fast(postings: Postings, terms: list[tuple[str, float]], limit: int, entries: int) -> list[WordScores]:
    """The two numpy tables: sorted by posting, and dense (one slot per entry of an index of ``entries``)."""
    return [
        ArrayScores(TermArrays(postings), terms, limit),
        DenseScores(postings, TermArrays(postings, entries), terms, limit),
    ]


def _same(index: Index, terms: list[tuple[str, float]], limit: int) -> None:
    plain = DictScores(index.postings, terms, limit)
    scored = {i for term, _ in terms for i in index.postings[term][0]}
    absent = next(i for i in range(len(index.entries) + 1) if i not in scored)
    for fast in _fast(index.postings, terms, limit, len(index.entries)):
        assert fast.best == plain.best  # exact floats, and equal scores in the same order
        for entry in scored:
            assert fast.score(entry) == plain.score(entry)
            assert fast.contributions(entry) == plain.contributions(entry)
        assert fast.score(absent) is None and plain.score(absent) is None
        assert fast.contributions(absent) == plain.contributions(absent) == []


def test_common_terms_cut_lists_and_weights(bundled: Bundled) -> None:
    index, _ = bundled
    by_size = sorted(index.postings, key=lambda t: (-len(index.postings[t][0]), t))
    cut = [t for t in by_size if len(index.postings[t][0]) >= MAX_POSTINGS]
    assert cut, "the bundled knowledge base has terms whose postings are cut to the strongest"
    terms = [(t, WEIGHTS[k % 4]) for k, t in enumerate(cut[:3] + by_size[len(cut) : len(cut) + 20])]
    _same(index, terms, 50)
    _same(index, terms, 3)
    _same(index, terms[:1], 50)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_questions(bundled: Bundled, data: st.DataObject) -> None:
    index, _ = bundled
    vocabulary = sorted(index.postings)
    picked = data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=48, unique=True))
    weights = data.draw(st.lists(st.sampled_from(WEIGHTS), min_size=len(picked), max_size=len(picked)))
    _same(index, list(zip(picked, weights, strict=True)), data.draw(st.integers(1, 60)))


def _postings(**lists: list[tuple[int, float]]) -> Postings:
    return {t: (array("i", [i for i, _ in p]), array("f", [s for _, s in p])) for t, p in lists.items()}


def test_equal_scores_keep_the_order_they_were_first_scored_in() -> None:
    # Entry 9 is scored first, then 2, then 5; 9 and 5 tie below 2. Not entry order, not score alone.
    postings = _postings(a=[(2, 0.5), (9, 1.5)], b=[(2, 1.5), (5, 1.5)])
    terms = [("a", 1.0), ("b", 1.0)]
    # Read in term order: 2 then 9 from "a", so 2 is first; 9 before 5.
    for table in (DictScores(postings, terms, 5), *_fast(postings, terms, 5, 10)):
        assert table.best == [(2, 2.0), (9, 1.5), (5, 1.5)]
        assert table.contributions(2) == [(0.5, 0), (1.5, 1)]


def test_the_sums_are_sequential_not_pairwise() -> None:
    # One entry, twelve terms: added in order each tiny impact rounds away against 1.0; numpy's
    # pairwise sum (what a ufunc reduction does) would add the tiny ones together first and keep them.
    values = [1.0] + [2.0**-53] * 11
    postings = _postings(**{f"t{k}": [(1, v)] for k, v in enumerate(values)})
    terms = [(f"t{k}", 1.0) for k in range(12)]
    plain = DictScores(postings, terms, 5)
    assert plain.best == [(1, 1.0)]
    for fast in _fast(postings, terms, 5, 2):
        assert fast.best == plain.best
    weighted = np.array([v * w for v, (_, w) in zip(values, terms, strict=True)])
    assert float(np.add.reduce(weighted)) > 1.0  # what a reduction would have given


def test_few_postings_take_the_dict_loop_many_numpy() -> None:
    few = _postings(a=[(i, 1.0) for i in range(SMALL - 1)])
    many = _postings(a=[(i, 1.0) for i in range(SMALL)])
    small: WordScores = word_scores(few, TermArrays(few), [("a", 1.0)], 5)
    large: WordScores = word_scores(many, TermArrays(many), [("a", 1.0)], 5)
    assert isinstance(small, DictScores) and isinstance(large, ArrayScores)
    # An index of a few thousand entries adds into one slot per entry; a larger one sorts postings.
    assert isinstance(word_scores(many, TermArrays(many, SMALL), [("a", 1.0)], 5), DenseScores)
    assert type(word_scores(many, TermArrays(many, DENSE_ENTRIES + 1), [("a", 1.0)], 5)) is ArrayScores
    assert type(word_scores(few, TermArrays(few, SMALL), [("a", 1.0)], 5)) is DictScores
    assert isinstance(word_scores(few, TermArrays(few), [], 5), DictScores)
    assert word_scores(few, TermArrays(few), [], 5).best == []


def test_dense_limit_cuts_through_equal_scores_by_first_scored() -> None:
    # Six entries tie at 1.0, scored in the order 7, 3, 8, 0, 5, 1; the limit falls inside the tie.
    postings = _postings(a=[(7, 1.0), (3, 1.0), (4, 3.0)], b=[(8, 1.0), (0, 1.0), (5, 1.0), (1, 1.0), (6, 0.5)])
    terms = [("a", 1.0), ("b", 1.0)]
    for limit in range(1, 9):
        plain = DictScores(postings, terms, limit)
        for fast in _fast(postings, terms, limit, 9):
            assert fast.best == plain.best
    assert DenseScores(postings, TermArrays(postings, 9), terms, 4).best == [(4, 3.0), (7, 1.0), (3, 1.0), (8, 1.0)]
    assert DenseScores(postings, TermArrays(postings, 9), terms, 4).score(2) is None


def test_dense_scores_tell_a_zero_impact_from_no_posting() -> None:
    # BM25 impacts are positive, so DenseScores reads "scored" from a sum above zero; should an impact
    # ever be zero, an entry holding only that posting is still scored (0.0), not absent.
    postings = _postings(a=[(2, 0.0), (4, 1.5)], b=[(1, 2.0)])
    terms = [("a", 1.0), ("b", 1.0)]
    plain = DictScores(postings, terms, 5)
    dense = DenseScores(postings, TermArrays(postings, 6), terms, 5)
    assert dense.best == plain.best
    assert dense.score(2) == plain.score(2) == 0.0
    assert dense.score(3) is None and plain.score(3) is None


def test_dense_limit_below_zero_keeps_unscored_entries_out() -> None:
    # Should impacts ever be negative, the limit-th best score can be below the 0.0 of every entry
    # without a posting: those must not be ranked, let alone above the scored ones.
    postings = _postings(a=[(2, -1.0), (3, -2.0), (4, 0.0)], b=[(1, 5.0)])
    terms = [("a", 1.0), ("b", 1.0)]
    for limit in range(1, 6):
        plain = DictScores(postings, terms, limit)
        dense = DenseScores(postings, TermArrays(postings, 7), terms, limit)
        assert dense.best == plain.best
        assert dense.score(0) is None and dense.score(4) == 0.0
