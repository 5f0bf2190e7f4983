"""Tokenizing text for the word index: one function serves entries and queries alike."""

from __future__ import annotations

import re
from functools import lru_cache

# \w covers Latin, Cyrillic and CJK letters alike; CJK runs are split into bigrams below.
TOKEN_RE = re.compile(r"\w+")
_CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# In ASCII text \w is [A-Za-z0-9_]: with a space for every other ASCII byte, bytes.split finds the
# same tokens as TOKEN_RE, several times faster (an index build tokenizes every entry, a pasted log
# is 1 MB). Bytes from 128 up are kept, so UTF-8 text keeps its other characters whole: ASCII
# punctuation never occurs inside a multi-byte character.
ASCII_NON_WORD = bytes(c if c >= 128 or chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256))
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_DIGIT_RE = re.compile(r"\d")  # \d as the code patterns read it (any Unicode decimal digit)
_ASCII_DIGITS = b"0123456789"  # the only characters of ASCII text \d matches
# Up to this length ASCII text is checked for digits by deleting them in C, twice as fast as the
# regex's per-character category test; a longer paste usually has a digit early, where the regex stops.
DIGIT_TRANSLATE_MAX = 100_000


def ascii_holds_any(text: str, chars: bytes) -> bool:
    """Whether ASCII ``text`` holds any of ``chars``: deleting them in C is several times faster than
    a regex looking for them character by character."""
    return len(text.encode("ascii").translate(None, chars)) != len(text)


def has_digit(text: str) -> bool:
    """Whether a decimal digit (as the code patterns read one) is in ``text``: every form of an error code holds one."""
    if text.isascii() and len(text) <= DIGIT_TRANSLATE_MAX:
        return ascii_holds_any(text, _ASCII_DIGITS)
    return _DIGIT_RE.search(text) is not None


STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "also",
        "any",
        "all",
        "am",
        "because",
        "before",
        "after",
        "again",
        "get",
        "got",
        "getting",
        "im",
        "ive",
        "dont",
        "doesnt",
        "cant",
        "use",
        "using",
        "used",
        "one",
        "two",
        "hi",
        "hello",
        "thanks",
        "thank",
        "please",
        "help",
        "anyone",
        "someone",
        "know",
        "like",
        "want",
        "need",
        "trying",
        "tried",
        "seems",
        "seem",
        "way",
        "still",
        "even",
        "much",
        "many",
        "really",
        "something",
        "anything",
        "thing",
    ]
)


def stem(word: str) -> str:
    """A deliberately light stemmer: plurals, nothing clever. ("-ies" is handled by _stems.)"""
    if len(word) <= 4 or not word.isascii():
        return word
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _stems(word: str, out: list[str]) -> None:
    """Append the stem; "-ies" plurals get both readings (entries -> entry, cookies -> cookie)."""
    if len(word) > 5 and word.endswith("ies") and word.isascii():
        out.append(word[:-3] + "y")
        out.append(word[:-1])
    else:
        out.append(stem(word))


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a character of a CJK script (kana, Han, Hangul)."""
    return _CJK_RE.search(text) is not None


def is_cjk(term: str) -> bool:
    """Whether ``term`` is written in a CJK script only: an index term made of a CJK character or
    bigram (see :func:`_expand`), or an alias written without spaces."""
    return _CJK_RE.fullmatch(term) is not None


# Product names written in camel case that are one word, not a compound: their parts ("air" of
# AirDrop and AirPlay, "play" of CarPlay) would tie a question about one to an entry about another.
WHOLE_NAMES = frozenset(
    ["airdrop", "airplay", "airprint", "airpods", "airtag", "carplay", "shareplay", "facetime", "homekit", "homepod"]
)
# Parts of a camel-case name that are no word by themselves: a framework's "Kit" ties StoreKit to PushKit.
NOT_PARTS = frozenset(["kit"])


def _expand(token: str, out: list[str]) -> None:
    """Append the index terms for one raw token (keeps whole identifiers and their parts)."""
    if _CJK_RE.search(token):
        for run in _CJK_RE.findall(token):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        rest = _CJK_RE.sub(" ", token).split()
        for part in rest:
            _expand(part, out)
        return
    if token.isdigit():
        return
    low = token.lower()
    parts: list[str] = []
    if "_" in token:
        parts = [p for p in token.split("_") if p]
    elif not token.islower() and not token.isupper() and low not in WHOLE_NAMES:
        parts = _CAMEL_RE.findall(token)
    if low not in STOPWORDS and len(low) > 1:
        _stems(low, out)
    if len(parts) > 1:
        for part in parts:
            p = part.lower()
            # Two-letter parts (NS, CF, UI, the OS of iOS) are prefixes, not words.
            if len(p) > 2 and not p.isdigit() and p not in STOPWORDS and p not in NOT_PARTS:
                _stems(p, out)


# Distinct raw tokens whose terms are kept: strangers' messages bring unbounded new tokens, so every
# per-token cache (this one, and bot.index.Index's known terms) stops at this many.
EXPAND_CACHE = 200_000


@lru_cache(maxsize=EXPAND_CACHE)
def expand(token: str) -> tuple[str, ...]:
    """The index terms of one raw token (memoized: vocabularies repeat heavily)."""
    out: list[str] = []
    _expand(token, out)
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The raw tokens of ``text`` (``TOKEN_RE.findall``, with a fast path for ASCII text)."""
    if text.isascii():
        return text.encode("ascii").translate(ASCII_NON_WORD).decode("ascii").split()
    return TOKEN_RE.findall(text)


def terms(text: str) -> list[str]:
    """Index terms of ``text`` in order (with repeats)."""
    out: list[str] = []
    for token in TOKEN_RE.findall(text):
        _expand(token, out)
    return out


def storable(text: str) -> str:
    """``text`` as valid Unicode: surrogate pairs joined, lone surrogates replaced by U+FFFD.

    Python strings may hold lone surrogates (undecodable bytes read with surrogateescape, a
    JSON "\\udcff"); UTF-8 cannot, so SQLite, JSON writers and chat APIs reject them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
