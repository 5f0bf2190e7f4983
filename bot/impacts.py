"""BM25 impacts of every term, from the postings of the raw tokens that feed it (see bot.postings).

Scored with numpy, the operations of the plain formula in its order, so every impact is the
float the plain Python loop gives: ``damp * w * tf * (K1 + 1) / (tf + norm)``.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import repeat

import numpy as np
import numpy.typing as npt

from bot.text import expand

K1 = 1.2
B = 0.75
# Very common terms keep only their strongest postings, so a query costs the same at 100k entries.
MAX_POSTINGS = 400
# Postings scored in one numpy pass: enough that a pass costs little per token, few enough
# that its float64 temporaries stay a few MB.
BATCH = 1 << 16

Postings = dict[str, tuple["array[int]", "array[float]"]]
Raw = dict[str, tuple["array[int]", "array[float]"]]  # raw token -> entry ids, weighted counts
Floats = npt.NDArray[np.float64]
Scored = tuple[float, "array[int]", "array[float]"]  # idf, entry ids, impacts


def score(raw: Raw, norms: Floats, damp: Floats) -> tuple[dict[str, float], Postings]:
    """Inverse document frequencies and impact-ordered postings of every term of ``raw``'s tokens.

    ``norms`` is K1 * (1 - B + B * length / average) per entry, ``damp`` its impact factor.
    """
    sources = _sources(raw)
    # A term that one raw token alone feeds has that token's postings, so its idf and impacts:
    # such tokens are scored once each, many in one pass.
    alone = {srcs[0][0]: None for srcs in sources.values() if len(srcs) == 1 and srcs[0][1] == 1}
    scored: dict[str, Scored] = {}
    batch: list[str] = []
    size = 0
    for token in alone:
        batch.append(token)
        size += len(raw[token][0])
        if size >= BATCH:
            _score_batch(batch, raw, norms, damp, scored)
            batch, size = [], 0
    _score_batch(batch, raw, norms, damp, scored)
    idf: dict[str, float] = {}
    postings: Postings = {}
    for term, srcs in sources.items():
        if len(srcs) == 1 and srcs[0][1] == 1:
            w, ids, impacts = scored[srcs[0][0]]
        else:
            w, ids, impacts = _score_merged([(*raw[t], k) for t, k in srcs], norms, damp)
        idf[term] = w
        postings[term] = (ids, impacts)
    return idf, postings


def _sources(raw: Raw) -> dict[str, list[tuple[str, int]]]:
    """Term -> the raw tokens that feed it, with how many times each yields the term."""
    out: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
    for token in raw:
        terms = expand(token)
        many: Iterable[tuple[str, int]] = (
            Counter(terms).items() if len(set(terms)) < len(terms) else zip(terms, repeat(1))
        )
        for term, times in many:
            out[term].append((token, times))
    return out


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _score_batch(tokens: list[str], raw: Raw, norms: Floats, damp: Floats, out: dict[str, Scored]) -> None:
    """Score the postings of ``tokens`` (each the only source of its terms) in one numpy pass."""
    if not tokens:
        return
    ids = [raw[t][0] for t in tokens]
    dfs = list(map(len, ids))
    docs = np.frombuffer(b"".join(ids), np.int32)
    tfs = np.frombuffer(b"".join([raw[t][1] for t in tokens]), np.float32).astype(np.float64)
    ws = [_idf(len(norms), df) for df in dfs]
    impacts = np.repeat(ws, dfs) * damp[docs] * tfs * (K1 + 1) / (tfs + norms[docs])
    floats = memoryview(impacts.astype(np.float32).tobytes())
    start = 0
    for token, kept, df, w in zip(tokens, ids, dfs, ws, strict=True):
        end = start + df
        if df > MAX_POSTINGS:
            out[token] = (w, *_cut(docs[start:end], impacts[start:end]))
        else:
            # The entry id array is shared by every term the token alone feeds: postings are read-only.
            impacts32 = array("f")
            impacts32.frombytes(floats[start * 4 : end * 4])  # array("f", a memoryview) would read bytes as numbers
            out[token] = (w, kept, impacts32)
        start = end


def _score_merged(
    sources: list[tuple[array[int], array[float], int]], norms: Floats, damp: Floats
) -> tuple[float, array[int], array[float]]:
    """Score one term that several raw tokens feed (or one token more than once): counts summed per entry."""
    docs = np.frombuffer(b"".join([d for d, _, _ in sources]), np.int32)
    times = np.repeat([float(k) for _, _, k in sources], [len(d) for d, _, _ in sources])
    tfs = np.frombuffer(b"".join([t for _, t, _ in sources]), np.float32) * times
    order = np.argsort(docs, kind="stable")
    docs = docs[order]
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    docs, tfs = docs[starts], np.add.reduceat(tfs[order], starts)
    w = _idf(len(norms), len(docs))
    impacts = w * damp[docs] * tfs * (K1 + 1) / (tfs + norms[docs])
    if len(docs) > MAX_POSTINGS:
        return (w, *_cut(docs, impacts))
    return w, array("i", docs.tobytes()), array("f", impacts.astype(np.float32).tobytes())


def _cut(docs: npt.NDArray[np.int32], impacts: Floats) -> tuple[array[int], array[float]]:
    """The MAX_POSTINGS strongest postings, strongest first; equal impacts in entry order."""
    # Stable, as sorted(..., reverse=True) is.
    order = np.argsort(-impacts, kind="stable")[:MAX_POSTINGS]
    return array("i", docs[order].tobytes()), array("f", impacts[order].astype(np.float32).tobytes())
