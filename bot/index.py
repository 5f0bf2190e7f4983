"""The immutable in-memory index, built from every entry in the store.

A search only reads it; an admin edit builds a new one and swaps it in with one assignment,
so a search never sees half an edit. Nothing here is global: benchmarks build their own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from bot.domains import DomainTable
from bot.literal import NUMBER, Piece, bounded, pattern_groups
from bot.models import Entry
from bot.postings import build_postings, weighted_fields
from bot.text import EXPAND_CACHE, TOKEN_RE, expand, is_cjk
from bot.wordscore import TermArrays

_IDENT_RE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*[a-z][A-Z][A-Za-z0-9_]*\b")
_WORD_RE = re.compile(r"\w+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# The shortest alias in a CJK script (no spaces) matched as a phrase: "请求超时" (request timed out).
CJK_PHRASE_CHARS = 4


@dataclass(frozen=True, slots=True)
class Pattern:
    entry: int
    text: str  # as written, for the "why"
    groups: tuple[tuple[Piece, ...], ...]  # && -separated groups, each split on *
    words: frozenset[str]  # every whole word of the pattern: all must be tokens of the message
    shared: bool = False  # other platforms print it word for word (domains.toml shared_messages)


@dataclass(frozen=True, slots=True)
class Phrase:
    entry: int
    text: str  # lowercase, single spaces
    literal: Piece  # the text, matched where no number runs on at either end
    words: int  # length in words (a CJK run counts one word per two characters)
    vocabulary: frozenset[str]  # every word of the phrase: all must be tokens of the message
    # Other platforms print it word for word: a shared message, or an error text every OS prints.
    shared: bool = False


class Index:
    """Exact maps, pattern and phrase tables, BM25 postings and a fuzzy identifier vocabulary."""

    def __init__(self, entries: list[Entry], domains: DomainTable) -> None:
        self.entries: tuple[Entry, ...] = tuple(sorted(entries, key=lambda e: e.id))
        self.domains = domains
        self.domain_info = domains.by_name()
        self._build_keys()
        self._build_patterns()
        self._build_words()

    # ------------------------------------------------------------ error keys and symbols

    def canonical_key(self, domain: str, code: int) -> tuple[str, int]:
        same = self.domains.equivalent(domain, code)
        if same is not None and (same, code) in self.key_entries:
            return (same, code)
        return (domain, code)

    def _build_keys(self) -> None:
        claims: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
        symbols: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for i, e in enumerate(self.entries):
            for err in e.errors:
                claims[err.key].append((i, err.role))
                if err.symbol:
                    symbols[err.symbol.lower()].add(err.key)
        self.key_entries: dict[tuple[str, int], tuple[tuple[int, str], ...]] = {}
        # Equivalent keys (kCFURLError* = NSURLError*) share one list under the canonical key.
        merged: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
        for (domain, code), items in claims.items():
            same = self.domains.equivalent(domain, code)
            target = (same, code) if same is not None and (same, code) in claims else (domain, code)
            merged[target].extend(items)
        for key, items in merged.items():
            curated_primary = any(self.entries[i].curated and role == "primary" for i, role in items)
            kept = [(i, role) for i, role in items if not (curated_primary and not self.entries[i].curated)]
            if not curated_primary:
                # kCFURLErrorTimedOut and NSURLErrorTimedOut rows say the same: show one.
                own = [(i, r) for i, r in kept if self.entries[i].curated or self.entries[i].errors[0].domain == key[0]]
                kept = own or kept
            self.key_entries[key] = tuple(dict.fromkeys(kept))
        self.symbols = {s: tuple(sorted(keys)) for s, keys in symbols.items()}
        # Catalog rows whose key a curated entry answers add nothing but noise.
        answered = {i for items in self.key_entries.values() for i, _ in items}
        self.shadowed = frozenset(i for i, e in enumerate(self.entries) if not e.curated and i not in answered)
        by_code: dict[int, set[str]] = defaultdict(set)
        for domain, code in self.key_entries:
            by_code[code].add(domain)
        self.domains_by_code = {c: tuple(sorted(d)) for c, d in by_code.items()}
        shared = {d.name for d in self.domains.domains if d.shared_text}
        # Entries about an error whose message every OS prints alike ("Connection reset by peer").
        self.shared_text = frozenset(
            i
            for i, e in enumerate(self.entries)
            if (primary := e.primary) and all(err.domain in shared for err in primary)
        )

    # ------------------------------------------------------------ patterns and phrases

    def _build_patterns(self) -> None:
        patterns: dict[str, list[Pattern]] = defaultdict(list)
        phrases: dict[str, list[Phrase]] = defaultdict(list)
        cjk: list[Phrase] = []  # aliases written in a CJK script without spaces (localized errors)
        idents: set[str] = set()
        shared = self.domains.shared_messages
        for i, e in enumerate(self.entries):
            for raw in e.patterns:
                groups = pattern_groups(raw)
                if not groups:
                    continue
                texts = tuple(tuple(p.text for p in g) for g in groups)
                anchor = _anchor(" ".join(t for g in texts for t in g))
                if anchor:
                    common = " ".join(raw.lower().split()) in shared
                    patterns[anchor].append(Pattern(i, raw, groups, _whole_words(texts), common))
            for alias in e.aliases:
                norm = " ".join(alias.lower().split())
                words = _WORD_RE.findall(norm)
                # One-word aliases are plain words for BM25 (the aliases field); only phrases
                # need a table of their own.
                if len(words) > 1 and len(norm) >= 6:
                    anchor = _longest(words)
                    if anchor:
                        size = len(words)
                        if _CJK_RE.search(norm):
                            size = sum(max(1, len(w) // 2) if _CJK_RE.search(w) else 1 for w in words)
                        common = i in self.shared_text or norm in shared
                        literal = bounded(norm, NUMBER, NUMBER)
                        whole = frozenset(_inner(norm, words))  # what _whole_words(((norm,),)) gives
                        phrases[anchor].append(Phrase(i, norm, literal, size, whole, common))
                elif len(words) == 1 and len(words[0]) >= CJK_PHRASE_CHARS and is_cjk(words[0]):
                    # A Chinese or Japanese sentence has no spaces: it is one token of a message
                    # only when nothing is written next to it, so it is found as a substring.
                    run = words[0]
                    common = i in self.shared_text or norm in shared
                    cjk.append(Phrase(i, run, bounded(run, NUMBER, NUMBER), len(run) // 2, frozenset(), common))
            if e.curated:
                text = " ".join((e.title, " ".join(e.aliases), " ".join(e.tags), " ".join(e.patterns)))
                idents.update(ident.lower() for ident in _IDENT_RE.findall(text) if len(ident) >= 8)
                idents.update(err.symbol.lower() for err in e.errors if len(err.symbol) >= 8 and err.role == "primary")
        self.patterns = {k: tuple(v) for k, v in patterns.items()}
        self.phrases = {k: tuple(v) for k, v in phrases.items()}
        self.cjk_phrases = tuple(cjk)
        # The vocabulary typos are corrected against (the word index holds the exact forms).
        self.identifiers = frozenset(idents)
        buckets: dict[str, list[str]] = defaultdict(list)
        for ident in sorted(idents):  # sorted: the same typo gets the same correction every run
            buckets[ident[:2]].append(ident)
        self.ident_buckets = {k: tuple(v) for k, v in buckets.items()}

    # ------------------------------------------------------------ words (BM25F-style)

    def _build_words(self) -> None:
        self.idf, self.postings = build_postings(self.entries, self.shadowed)
        # Filled as queries use terms: a pass over every posting at build time would cost more
        # than the few dozen terms a question has.
        self._ceilings: dict[str, float] = {}
        # Raw token -> its index terms that have postings, as questions use the token.
        self._known_terms: dict[str, tuple[str, ...]] = {}

    def ceiling(self, term: str) -> float:
        """The best impact any entry has for ``term`` (a question's words can score no more)."""
        best = self._ceilings.get(term)
        if best is None:
            best = self._ceilings[term] = max(self.postings[term][1], default=0.0)
        return best

    def term_counts(self, raw: Mapping[str, int]) -> dict[str, int]:
        """How often each index term with postings occurs, from ``raw`` token counts: every token's
        terms (:func:`bot.text.expand`) in order of first occurrence; terms no entry has are left out."""
        cache, postings = self._known_terms, self.postings
        counts: dict[str, int] = {}
        get = counts.get
        for token, n in raw.items():
            found = cache.get(token)
            if found is None:
                found = tuple(t for t in expand(token) if t in postings)
                if len(cache) < EXPAND_CACHE:  # questions' tokens are unbounded; the cache is not
                    cache[token] = found
            for t in found:
                counts[t] = get(t, 0) + n
        return counts

    @cached_property
    def word_arrays(self) -> TermArrays:
        """The postings as numpy arrays, converted per term as searches first use it."""
        return TermArrays(self.postings, len(self.entries))

    @cached_property
    def surface(self) -> frozenset[str]:
        """Lowercase raw tokens of every entry: a cheap first filter for pasted logs.

        Built on first use, since only a large paste needs it.
        """
        return frozenset(_surface(self.entries))

    def __len__(self) -> int:
        return len(self.entries)


def _surface(entries: tuple[Entry, ...]) -> set[str]:
    """Lowercase raw tokens of every field the word index reads, to pre-filter huge inputs."""
    out: set[str] = set()
    for e in entries:
        out.update(TOKEN_RE.findall(" ".join((*weighted_fields(e), e.body)).lower()))
    return out


def _whole_words(groups: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    """Words of a pattern that stand whole (not cut by a * or the pattern's ends)."""
    out: set[str] = set()
    for pieces in groups:
        for piece in pieces:
            out.update(_inner(piece, _WORD_RE.findall(piece)))
    return frozenset(out)


def _inner(piece: str, words: list[str]) -> list[str]:
    """The ``words`` of ``piece`` that stand whole.

    The first and last word of a piece may be partial ("...Provid*er"): they are skipped
    unless the piece starts or ends on a non-word character.
    """
    start = 1 if piece[:1].isalnum() else 0
    stop = len(words) - 1 if piece[-1:].isalnum() else len(words)
    return words[start:stop]


def _anchor(text: str) -> str:
    """The longest word of a pattern or phrase: the cheapest reliable pre-filter."""
    return _longest(_WORD_RE.findall(text.lower()))


def _longest(words: list[str]) -> str:
    """The longest of ``words`` (lowercase), the first of equals; short numbers only if all are."""
    # Short numbers are poor anchors, but a pattern made only of them ("02:00:00:00:00:00")
    # still needs one.
    longer = [w for w in words if not w.isdigit() or len(w) >= 3] or words
    return max(longer, key=len) if longer else ""
