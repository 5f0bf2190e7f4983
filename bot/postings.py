"""The word index: BM25F-style impacts per term, counted and scored in numpy.

Entries are counted in raw tokens, not in index terms: a raw token (``Sockets``,
``NEPacketTunnelProvider``) is expanded to its terms once per index instead of once per
occurrence. Each chunk of entries becomes one array of raw token ids, which numpy sorts and
sums into (token, entry, weighted count) postings; only the appends of each token's postings
to its typed arrays, and the scoring of each term, are one Python step per token or term.
Only a term that several raw tokens feed (``socket`` from ``socket``, ``Sockets`` and
``NESocketFilter``) is merged from several postings lists. The postings are exactly those of
counting terms directly: the same documents in the same order with the same impacts (the
weighted counts are multiples of 0.5, so every sum is exact in any order, and the impacts
are the same IEEE operations in the same order as the plain formula).
"""

from __future__ import annotations

from array import array
from itertools import chain

import numpy as np
import numpy.typing as npt

from bot.impacts import K1, B, Postings, score
from bot.impacts import MAX_POSTINGS as MAX_POSTINGS
from bot.models import Entry
from bot.text import ASCII_NON_WORD, expand, tokens

# A word in a title or a name (alias, tag, symbol) says more than one in the body.
TITLE_WEIGHT = 3.0
NAMES_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.5
# Entries counted in one numpy pass: big enough that the per-token appends cost little per
# posting, small enough that the chunk's sort arrays stay a few tens of MB.
CHUNK = 2048
# Entries tokenized at a time: their token strings are dropped once they are ids.
_BATCH = 256
# The weight of each text of an entry, in the order _texts gives them.
_WEIGHTS = np.array((1.0, TITLE_WEIGHT, NAMES_WEIGHT, SUMMARY_WEIGHT))
# ASCII_NON_WORD, but NUL stays NUL: it separates the texts of a chunk tokenized in one call.
_SPLIT_TABLE = b"\0" + ASCII_NON_WORD[1:]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def weighted_fields(e: Entry) -> tuple[str, str, str]:
    """Title, names (aliases, tags and symbols share one weight) and summary; the body is apart."""
    names = " ".join((*e.aliases, *e.tags, *(err.symbol for err in e.errors)))
    return e.title, names, e.summary


class _Vocabulary(dict[str, int]):
    """Raw token -> id in order of first sight; ``words`` and ``widths`` (terms it expands to) by id."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.widths: list[int] = []

    def __missing__(self, token: str) -> int:
        i = self[token] = len(self.words)
        self.words.append(token)
        self.widths.append(len(expand(token)))
        return i


def build_postings(
    entries: tuple[Entry, ...], shadowed: frozenset[int], chunk: int = CHUNK
) -> tuple[dict[str, float], Postings]:
    """Inverse document frequencies and impact-ordered postings of every term.

    ``shadowed`` entries count for lengths but get no postings. Entries are counted ``chunk``
    at a time (a parameter so tests can cross chunk borders).
    """
    n = len(entries)
    vocab = _Vocabulary()
    packed: dict[str, tuple[array[int], array[float]]] = {}
    lengths = np.zeros(n)
    hidden = np.zeros(n, dtype=bool)
    hidden[[i for i in shadowed if 0 <= i < n]] = True
    for base in range(0, n, chunk):
        _count_chunk(entries[base : base + chunk], base, vocab, hidden, lengths, packed)
    # Lengths were kept as float32 (exact: sums of multiples of 0.5).
    lengths = lengths.astype(np.float32).astype(np.float64)
    avg = (sum(lengths.tolist()) / n) if n else 1.0
    norms = K1 * (1 - B + B * lengths / avg)
    damp = np.array([1.0 if e.curated else 0.5 for e in entries])  # catalog rows are one-liners
    return score(packed, norms, damp)


def _texts(entries: tuple[Entry, ...]) -> list[str]:
    """Body, title, names and summary of every entry, in that order."""
    out: list[str] = []
    for e in entries:
        out.append(e.body)
        out.extend(weighted_fields(e))
    return out


def _token_lists(texts: list[str]) -> list[list[str]]:
    """``tokens(text)`` of every text; ASCII texts in one translate and split for them all."""
    joined = "\0".join(texts)
    if joined.isascii() and joined.count("\0") == len(texts) - 1:
        return list(map(str.split, joined.encode("ascii").translate(_SPLIT_TABLE).decode("ascii").split("\0")))
    return list(map(tokens, texts))


def _token_ids(entries: tuple[Entry, ...], vocab: _Vocabulary) -> tuple[Ints, npt.NDArray[np.int32]]:
    """Token count of each text (see _texts) and the id of every token, in order.

    Tokenized ``_BATCH`` entries at a time: the token strings are the largest thing a build
    makes, and only their ids are kept.
    """
    sizes: list[Ints] = []
    ids: list[npt.NDArray[np.int32]] = []
    for start in range(0, len(entries), _BATCH):
        lists = _token_lists(_texts(entries[start : start + _BATCH]))
        sizes.append(np.fromiter(map(len, lists), np.int64, len(lists)))
        ids.append(np.fromiter(map(vocab.__getitem__, chain.from_iterable(lists)), np.int32, int(sizes[-1].sum())))
    return np.concatenate(sizes), np.concatenate(ids)


def _count_chunk(
    entries: tuple[Entry, ...],
    base: int,
    vocab: _Vocabulary,
    hidden: npt.NDArray[np.bool_],
    lengths: Floats,
    packed: dict[str, tuple[array[int], array[float]]],
) -> None:
    """Add the lengths of ``entries`` (from ``base``) and append their postings to ``packed``."""
    m = len(entries)
    sizes, ids = _token_ids(entries, vocab)
    weights = np.repeat(np.tile(_WEIGHTS, m), sizes)
    docs = np.repeat(np.repeat(np.arange(m, dtype=np.int32), 4), sizes)
    widths = np.array(vocab.widths, dtype=np.int32)[ids]
    lengths[base : base + m] = np.bincount(docs, weights=weights * widths, minlength=m)
    # Stopwords, numbers and one letter have no terms; shadowed entries no postings.
    keep = (widths > 0) & ~hidden[base : base + m][docs]
    del widths
    # One sort by (token, entry) groups each token's postings in entry order.
    key = ids[keep].astype(np.int64) * m + docs[keep]
    weights = weights[keep]
    del ids, docs, keep
    if not len(key):
        return
    order = np.argsort(key)
    key = key[order]
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    tfs = np.add.reduceat(weights[order], starts).astype(np.float32)
    key = key[starts]
    token_ids, entry_ids = key // m, (key % m + base).astype(np.int32)
    groups = np.flatnonzero(np.concatenate(([True], token_ids[1:] != token_ids[:-1])))
    # Tokens new to ``packed`` go in in order of first sight, as appending one entry at a time would.
    first = np.minimum.reduceat(order, starts[groups])
    ends = np.append(groups[1:], len(key)).tolist()
    _append(
        packed,
        vocab.words,
        token_ids[groups].tolist(),
        groups.tolist(),
        ends,
        np.argsort(first).tolist(),
        entry_ids,
        tfs,
    )


def _append(
    packed: dict[str, tuple[array[int], array[float]]],
    words: list[str],
    tokens: list[int],
    starts: list[int],
    ends: list[int],
    order: list[int],
    docs: npt.NDArray[np.int32],
    tfs: npt.NDArray[np.float32],
) -> None:
    """Append ``docs[starts[g]:ends[g]]`` and its counts to the arrays of token ``tokens[g]``, g in ``order``."""
    doc_bytes = memoryview(docs.tobytes())
    tf_bytes = memoryview(tfs.tobytes())
    for g in order:
        token, s, e = words[tokens[g]], starts[g] * 4, ends[g] * 4
        arrays = packed.get(token)
        if arrays is None:
            arrays = packed[token] = (array("i"), array("f"))
        arrays[0].frombytes(doc_bytes[s:e])
        arrays[1].frombytes(tf_bytes[s:e])
