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
# posting, small enough that the chunk's sort arrays stay a few MB (2048 cost ~4 MB more peak RSS
# at 10k entries for no measurable speed).
CHUNK = 1024
# Entries tokenized at a time: their token strings are dropped once they are ids.
_BATCH = 256
# The weight of each text of an entry, in the order _texts gives them.
_WEIGHTS = np.array((1.0, TITLE_WEIGHT, NAMES_WEIGHT, SUMMARY_WEIGHT))
# Ends every text in a chunk's token list: it has id 0 and no terms. Text never yields it as
# a token (NUL is not a word character).
_END = "\0"
# ASCII_NON_WORD, but NUL stays NUL: it ends the texts of a chunk tokenized in one call.
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
        self.__missing__(_END)  # id 0, no terms

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
    # Rounded to float32 as the lengths always were (a no-op here: sums of multiples of 0.5).
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


def _flat_tokens(texts: list[str]) -> list[str]:
    """``tokens(text) + [_END]`` of every text, in one list; ASCII texts in one translate and split."""
    joined = _END.join(texts) + _END
    if joined.isascii() and joined.count(_END) == len(texts):
        return joined.encode("ascii").translate(_SPLIT_TABLE).replace(b"\0", b" \0 ").decode("ascii").split()
    out: list[str] = []
    for text in texts:
        out += tokens(text)
        out.append(_END)
    return out


def _token_ids(entries: tuple[Entry, ...], vocab: _Vocabulary) -> npt.NDArray[np.int32]:
    """The id of every token of every text (see _texts) of ``entries``, each text ended by id 0.

    Tokenized ``_BATCH`` entries at a time: the token strings are the largest thing a build
    makes, and only their ids are kept.
    """
    ids: list[npt.NDArray[np.int32]] = []
    for start in range(0, len(entries), _BATCH):
        flat = _flat_tokens(_texts(entries[start : start + _BATCH]))
        ids.append(np.fromiter(map(vocab.__getitem__, flat), np.int32, len(flat)))
    return np.concatenate(ids) if ids else np.zeros(0, np.int32)


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
    ids = _token_ids(entries, vocab)
    ends = ids == 0
    text = np.cumsum(ends) - ends  # 4 * entry + field of every token (an end counts to its text)
    widths = np.array(vocab.widths, dtype=np.int32)[ids]
    lengths[base : base + m] = np.bincount(text >> 2, weights=_WEIGHTS[text & 3] * widths, minlength=m)
    # Stopwords, numbers, one letter and ends have no terms; shadowed entries no postings.
    keep = (widths > 0) & ~hidden[base : base + m][text >> 2]
    kept = ids[keep]
    # One sort of (token, entry, field) codes groups each token's postings in entry order; int32
    # where the codes fit, as it sorts twice as fast.
    code = np.int64 if len(vocab.words) * 4 * m >= 2**31 else np.int32
    key = kept.astype(code) * (4 * m) + text[keep].astype(code)
    del ids, ends, text, widths, keep
    if not len(key):
        return
    key.sort()
    pair = key >> 2
    starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
    tfs = np.add.reduceat(_WEIGHTS[key & 3], starts).astype(np.float32)
    pair = pair[starts]
    token_ids, entry_ids = pair // m, (pair % m + base).astype(np.int32)
    groups = np.flatnonzero(np.concatenate(([True], token_ids[1:] != token_ids[:-1])))
    if hidden[: base + m].any():
        # Tokens new to ``packed`` go in in order of first sight, as appending one entry at a time
        # would; without shadowed entries that is the order of their ids.
        order = np.argsort(np.unique(kept, return_index=True)[1]).tolist()
    else:
        order = list(range(len(groups)))
    stops = np.append(groups[1:], len(pair)).tolist()
    _append(packed, vocab.words, token_ids[groups].tolist(), groups.tolist(), stops, order, entry_ids, tfs)


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
