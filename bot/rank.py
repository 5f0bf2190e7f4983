"""Searching the index: candidates from every signal, one score, a confidence and the reasons.

Evidence is combined as a noisy-OR: each signal has a strength in [0, 1] and the confidence
is the chance that at least one of them is right. Word overlap alone is capped below the
auto-reply bar, so prose matches are offered on request but never posted unasked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial

from bot.codescan import FoundCode
from bot.evidence import Evidence, confidences_of_one
from bot.extract import Extraction
from bot.index import Index, Pattern
from bot.keys import RELATED_FACTOR, code_evidence, layered
from bot.literal import find, pattern_matches
from bot.models import Match
from bot.platform import OurPlatform, api_names
from bot.words import word_query

# Strength of each kind of evidence (the noisy-OR inputs); error keys: see bot.keys.
SYMBOL_STRENGTH = 0.9
PATTERN_STRENGTH = 0.9
PHRASE_STRENGTH = 0.72
STRONG_PHRASE_WORDS = 4
SHARED_SHORT_PHRASE_FACTOR = 0.5
WORDS_REASON = "\0words"  # placeholder: the words reason is written only for final matches


@dataclass(frozen=True)
class SearchResult:
    extraction: Extraction  # what the ranking was computed from
    matches: tuple[Match, ...]
    strong: frozenset[str]  # ids of matches backed by more than word overlap
    unknown_codes: tuple[FoundCode, ...]  # codes of our domains (or none named) that nothing knows
    known_codes: int
    foreign_codes: tuple[FoundCode, ...] = ()  # codes of domains this knowledge base does not cover
    # (outer id, cause id) among the matches: the cause's code was nested in the outer's error.
    nested: frozenset[tuple[str, str]] = frozenset()
    keys: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # match id -> the key it was found by
    words: Mapping[str, float] = field(default_factory=dict)  # match id -> its BM25 score over the question
    word_lead: tuple[str, float, float] = ("", 0.0, 0.0)  # (best entry id, its BM25, the runner-up's BM25)
    # The most any entry could score on the question's words (each term at its best impact): the
    # share of it the best entry reaches says how much of the question it answers, whatever its length.
    word_ceiling: float = 0.0
    # API-shaped names (NSManagedObjectContext) in a typed question that no entry mentions, and
    # how many API-shaped names it shares with the knowledge base: another framework's names
    # say the question is likely about something else.
    names: tuple[int, int] = (0, 0)  # (unknown, known)
    phrased: frozenset[str] = frozenset()  # ids of matches one of whose phrases (aliases) the message quotes
    # ids of matches found by a message other platforms print too, in a message that says nothing of
    # Apple's: their words are the other platform's as much as ours (see OurPlatform).
    unbacked: frozenset[str] = frozenset()


def search(index: Index, ex: Extraction, limit: int = 5) -> SearchResult:
    """Rank every entry with evidence in the message; best first, at most ``limit``."""
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    ours = OurPlatform(index, ex)
    codes = code_evidence(index, ex, evidence, ours)

    _symbol_evidence(index, ex, evidence)
    patterns: dict[int, list[Pattern]] = defaultdict(list)
    for pat in matched_patterns(index, ex):
        evidence[pat.entry].add(PATTERN_STRENGTH, f"pattern '{pat.text}'", ours.backs(pat.entry, pat.shared))
        patterns[pat.entry].append(pat)
    phrased = _phrase_evidence(index, ex, evidence, ours)
    words = word_query(index, ex)
    top = _ranked(evidence, words.strengths(), limit)
    matches = tuple(
        Match(index.entries[i], round(conf, 4), tuple(_best_reasons(ev, partial(words.reason, index, i))))
        for conf, i, ev in top
    )
    strong = frozenset(index.entries[i].id for _, i, ev in top if ev.strong)
    shown = {i for _, i, _ in top}
    nesting = codes.nested(ex) | layered(index, ex, codes, [i for _, i, ev in top if ev.strong], patterns)
    nested = frozenset((index.entries[o].id, index.entries[u].id) for o, u in nesting if o in shown and u in shown)
    keys = {index.entries[i].id: key for i, key in codes.keys.items() if i in shown}
    scores = {index.entries[i].id: s for i in shown if (s := words.score(i)) is not None}
    return SearchResult(
        ex,
        matches,
        strong,
        tuple(codes.unknown),
        codes.known,
        tuple(codes.foreign),
        nested=nested,
        keys=keys,
        words=scores,
        word_lead=words.lead(index),
        word_ceiling=words.ceiling,
        phrased=frozenset(index.entries[i].id for i in phrased if i in shown),
        unbacked=frozenset(index.entries[i].id for i in ours.unbacked if i in shown),
        names=(0, 0) if ex.pasted_log else api_names(index, ex),
    )


def _ranked(
    evidence: dict[int, Evidence], word_strengths: list[tuple[int, float]], limit: int
) -> list[tuple[float, int, Evidence]]:
    """The ``limit`` best (confidence, entry, evidence), by confidence and then entry order.

    Word evidence comes last in every entry's list. Most word candidates have nothing else,
    and their confidence is that of one strength: it is computed as Evidence would, and an
    Evidence is made only for those that are shown.
    """
    for i, strength in word_strengths:
        if i in evidence:
            evidence[i].add(strength, WORDS_REASON, False)
    solo = confidences_of_one([(i, s) for i, s in word_strengths if i not in evidence])
    scored: list[tuple[float, int, Evidence | float]] = []
    for i, ev in evidence.items():
        if len(ev.why) > 1:
            # One entry may collect the same reason many times from a long log; count it once.
            pairs = dict(zip(ev.why, ev.strengths, strict=True))
            ev.why, ev.strengths = list(pairs), list(pairs.values())
        scored.append((ev.confidence(), -i, ev))
    scored.extend(solo)
    # (confidence, -entry) is unique, so the sort never compares the third items.
    scored.sort(reverse=True)
    top = []
    for conf, neg, found in scored[:limit]:
        if isinstance(found, Evidence):
            top.append((conf, -neg, found))
        else:
            words = Evidence()
            words.add(found, WORDS_REASON, False)
            top.append((conf, -neg, words))
    return top


def _symbol_evidence(index: Index, ex: Extraction, evidence: dict[int, Evidence]) -> None:
    """Error symbols named in the message (``NSURLErrorTimedOut``): strong evidence for their keys."""
    for token in _present(index.symbols, ex.lowered_tokens):
        for key in index.symbols[token]:
            for i, role in index.key_entries.get(index.canonical_key(*key), ()):
                strength = SYMBOL_STRENGTH * (RELATED_FACTOR if role == "related" else 1.0)
                evidence[i].add(strength, f"symbol {token}", role != "related")


def _phrase_evidence(index: Index, ex: Extraction, evidence: dict[int, Evidence], ours: OurPlatform) -> set[int]:
    """Aliases of several words found in the message; returns the entries that got one."""
    # In a pasted log only sentence-length phrases (localized error text) are worth a scan each.
    shortest = STRONG_PHRASE_WORDS if ex.pasted_log else 0
    phrased: set[int] = set()
    normalized = ""  # whitespace folded, so a phrase wrapped over two lines still matches
    for token in _present(index.phrases, ex.lowered_tokens):
        for ph in index.phrases[token]:
            if ph.words < shortest or not ph.vocabulary <= ex.lowered_tokens:
                continue
            if not normalized:
                normalized = ex.lowered if ex.pasted_log else " ".join(ex.lowered.split())
            if find(normalized, ph.literal) != -1:
                # A sentence (an error's localized text) identifies a problem; a two-word API
                # name only says what the question is about.
                sentence = ph.words >= STRONG_PHRASE_WORDS
                # "Connection reset by peer" comes from kubectl and Python as much as from an
                # iPhone: alone it identifies the error, not that the question is ours to answer.
                strong = sentence and ours.backs(ph.entry, ph.shared)
                strength = min(PHRASE_STRENGTH + 0.03 * (ph.words - 4), 0.85) if sentence else 0.2 + 0.1 * ph.words
                if not sentence and ph.shared:
                    # "the network is unreachable" in a sentence is plain English, not a pasted errno.
                    strength *= SHARED_SHORT_PHRASE_FACTOR
                evidence[ph.entry].add(strength, f"phrase '{ph.text}'", strong)
                phrased.add(ph.entry)
    return phrased


def matched_patterns(index: Index, ex: Extraction) -> Iterator[Pattern]:
    """The knowledge base's patterns found in the message (each on token boundaries)."""
    lowered_tokens = ex.lowered_tokens
    for token in _present(index.patterns, lowered_tokens):
        for pat in index.patterns[token]:
            if pat.words <= lowered_tokens and pattern_matches(pat.groups, ex.lowered):
                yield pat


def _present(table: Mapping[str, object], tokens: set[str]) -> list[str]:
    """Keys of ``table`` among ``tokens``, iterating the smaller side (a log has 100k tokens)."""
    if len(tokens) < len(table):
        return [t for t in tokens if t in table]
    return [k for k in table if k in tokens]


def _best_reasons(ev: Evidence, word_reason: Callable[[], str]) -> list[str]:
    order = sorted(range(len(ev.why)), key=lambda k: -ev.strengths[k])
    return [word_reason() if ev.why[k] == WORDS_REASON else ev.why[k] for k in order[:6]]
