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
from bot.evidence import Evidence, confidence_of_one
from bot.extract import Extraction
from bot.index import Index, Pattern
from bot.keys import RELATED_FACTOR, code_evidence, layered
from bot.literal import affirmed, pattern_matches
from bot.models import Match
from bot.platform import OurPlatform, api_names, off_subject
from bot.reasons import Reasons
from bot.text import is_cjk
from bot.words import WordQuery, word_query

# Strength of each kind of evidence (the noisy-OR inputs); error keys: see bot.keys.
SYMBOL_STRENGTH = 0.9
PATTERN_STRENGTH = 0.9
PHRASE_STRENGTH = 0.72
STRONG_PHRASE_WORDS = 4
SHARED_SHORT_PHRASE_FACTOR = 0.5
# A short alias ("ats exception", "background urlsession") names what a question mentions, not always
# what it asks: its strength falls with the square of its entry's word score against the best one.
SHORT_PHRASE_WORDS_POWER = 2
WORDS_REASON = "\0words"  # placeholder: the words reason is written only for final matches
# (confidence, -entry, evidence): a word-only candidate's evidence is its one strength until it is shown.
Scored = tuple[float, int, Evidence | float]


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
    # ids of matches one of whose patterns of several words the message has: a log line's signature
    # ("unsatisfied (Local network prohibited)"), not an API name a question mentions.
    patterned: frozenset[str] = frozenset()
    # ids of matches found by a message other platforms print too, in a message that says nothing of
    # Apple's: their words are the other platform's as much as ours (see OurPlatform).
    unbacked: frozenset[str] = frozenset()
    # ids of matches the message names only by a bare number ("-1005") or a symbol (ECONNREFUSED):
    # neither a domain and code, nor a pattern or message of theirs (see bot.combine.asked_topic_first).
    named: frozenset[str] = frozenset()
    # ids of matches about an error every operating system has (POSIX's errno): a symptom that many
    # APIs report, where a framework's own error code is already the diagnosis.
    everywhere: frozenset[str] = frozenset()
    # ids of matches found by a code many subsystems return (EPERM, errSecItemNotFound) in a message
    # that says nothing about networking: the code is ours, the question may be another subsystem's.
    off_subject: frozenset[str] = frozenset()
    # ids of matches whose word score comes mostly from CJK bigrams: a Japanese or Chinese sentence
    # shares bigrams ("ネッ", "まし") with every localized error string that says "network" or ends
    # in a polite past tense, so such words alone say little about what the question asks.
    bigrams: frozenset[str] = frozenset()


def search(index: Index, ex: Extraction, limit: int = 5) -> SearchResult:
    """Rank every entry with evidence in the message; best first, at most ``limit``."""
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    ours = OurPlatform(index, ex)
    codes = code_evidence(index, ex, evidence, ours)

    symbols = _symbol_evidence(index, ex, evidence, ours)
    patterns: dict[int, list[Pattern]] = defaultdict(list)
    for pat in matched_patterns(index, ex):
        evidence[pat.entry].add(PATTERN_STRENGTH, f"pattern '{pat.text}'", ours.backs(pat.entry, pat.shared))
        patterns[pat.entry].append(pat)
    words = word_query(index, ex)
    phrased = _phrase_evidence(index, ex, evidence, ours, words)
    top = _ranked(evidence, words, limit)
    matches = tuple(
        Match(index.entries[i], round(conf, 4), Reasons(partial(_best_reasons, ev, partial(words.reason, index, i))))
        for conf, i, ev in top
    )
    strong = frozenset(index.entries[i].id for _, i, ev in top if ev.strong)
    shown = {i for _, i, _ in top}
    nesting = codes.nested(ex) | layered(index, ex, codes, [i for _, i, ev in top if ev.strong], patterns)
    nested = frozenset((index.entries[o].id, index.entries[u].id) for o, u in nesting if o in shown and u in shown)
    keys = {index.entries[i].id: key for i, key in codes.keys.items() if i in shown}
    scores = {index.entries[i].id: s for i in shown if (s := words.score(i)) is not None}
    named = (set(codes.keys) | symbols) - codes.quoted - patterns.keys() - phrased
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
        patterned=frozenset(
            index.entries[i].id for i, found in patterns.items() if i in shown and any(len(p.words) > 1 for p in found)
        ),
        unbacked=frozenset(index.entries[i].id for i in ours.unbacked if i in shown),
        named=frozenset(index.entries[i].id for i in named if i in shown),
        everywhere=frozenset(index.entries[i].id for i in shown & index.shared_text),
        off_subject=off_subject(index, ex, keys),
        names=(0, 0) if ex.pasted_log else api_names(index, ex),
        # Most non-ASCII messages are English with curly quotes: only CJK query terms make bigrams.
        bigrams=frozenset()
        if ex.lowered.isascii() or not any(is_cjk(term) for term, _ in words.terms)
        else frozenset(index.entries[i].id for i in shown if words.mostly_bigrams(i)),
    )


def _ranked(evidence: dict[int, Evidence], words: WordQuery, limit: int) -> list[tuple[float, int, Evidence]]:
    """The ``limit`` best (confidence, entry, evidence), by confidence and then entry order.

    Word evidence comes last in every entry's list. Most word candidates have nothing else,
    and their confidence is that of one strength: it is computed as Evidence would, and an
    Evidence is made only for those that are shown.
    """
    scored: list[Scored] = []
    scored.extend(_word_only(evidence, words, limit))
    for i, ev in evidence.items():
        ev.count_each_reason_once()
        scored.append((ev.confidence(), -i, ev))
    # (confidence, -entry) is unique, so the sort never compares the third items.
    scored.sort(reverse=True)
    top = []
    for conf, neg, found in with_word_leader(scored, words, limit):
        if isinstance(found, Evidence):
            top.append((conf, -neg, found))
        else:
            top.append((conf, -neg, Evidence.of_one(found, WORDS_REASON)))
    return top


def with_word_leader(scored: list[Scored], words: WordQuery, limit: int) -> list[Scored]:
    """The first ``limit`` of ``scored`` (best first), with the entry the question's words favour most
    in the last place if codes lifted ``limit`` others above it.

    A question asked in words deserves its best word match among the answers, and the rules that
    weigh what a question asks (bot.combine) must see it. It is the first word candidate, so
    :func:`_word_only` always scores it.
    """
    chosen = scored[:limit]
    if words.best and len(chosen) == limit > 1:
        leader = words.best[0][0]
        if all(-neg != leader for _, neg, _ in chosen):
            chosen[-1] = next(item for item in scored if -item[1] == leader)
    return chosen


# Scores in decreasing order give confidences that rise from one to the next, if ever, by
# rounding (a few units in the last place): far less than this.
ROUNDING_SLACK = 1e-9


def _word_only(evidence: dict[int, Evidence], words: WordQuery, limit: int) -> list[tuple[float, int, float]]:
    """Adds word evidence to the word candidates with other evidence; returns (confidence, -entry,
    strength) of the others, as far down as one of them can be among the ``limit`` best.

    The candidates come best score first, so once ``limit`` of them are in, one whose confidence is
    below the lowest of those is beaten by ``limit`` entries, and so is every one after it.
    """
    solo: list[tuple[float, int, float]] = []
    bar = -1.0
    best = words.best
    strength_of, found = words.strength, evidence.get
    for k, (i, score) in enumerate(best):
        strength = strength_of(score)
        ev = found(i)
        if ev is not None:
            ev.add(strength, WORDS_REASON, False)
            continue
        conf = confidence_of_one(strength)
        if conf < bar:
            # The rest are shown only on other evidence: a message has a few such entries and the
            # candidates number dozens, so the few are looked up among them, not the other way round.
            rest = dict(best[k + 1 :])
            for j in rest.keys() & evidence.keys():
                evidence[j].add(strength_of(rest[j]), WORDS_REASON, False)
            break
        solo.append((conf, -i, strength))
        if len(solo) == limit:
            bar = min(solo)[0] - ROUNDING_SLACK  # the lowest confidence: tuples compare it first
    return solo


def _symbol_evidence(index: Index, ex: Extraction, evidence: dict[int, Evidence], ours: OurPlatform) -> set[int]:
    """Error symbols named in the message (``NSURLErrorTimedOut``): strong evidence for their keys.

    A symbol of a domain every OS shares (ECONNREFUSED: POSIX) is strong only in a message that is
    ours (Node prints ``code: 'ECONNREFUSED'`` too). Returns the entries whose own key a symbol named."""
    named = set()
    for token in _present(index.symbols, ex.lowered_tokens):
        for key in index.symbols[token]:
            info = index.domain_info.get(key[0])
            shared = info is not None and info.shared_text
            for i, role in index.key_entries.get(index.canonical_key(*key), ()):
                if role == "related":
                    evidence[i].add(SYMBOL_STRENGTH * RELATED_FACTOR, f"symbol {token}", False)
                    continue
                evidence[i].add(SYMBOL_STRENGTH, f"symbol {token}", ours.backs(i, shared))
                named.add(i)
    return named


def _phrase_evidence(
    index: Index, ex: Extraction, evidence: dict[int, Evidence], ours: OurPlatform, words: WordQuery
) -> set[int]:
    """Aliases of several words found in the message; returns the entries that got one."""
    # In a pasted log only sentence-length phrases (localized error text) are worth a scan each.
    shortest = STRONG_PHRASE_WORDS if ex.pasted_log else 0
    phrased: set[int] = set()
    table, tokens = index.phrases, ex.lowered_tokens
    # One comprehension tests every phrase under the message's tokens (a few dozen; a loop with a
    # branch per phrase cost twice as much), in table order: evidence is added in the same order.
    # Length first: each phrase let through costs a log a scan of its megabyte.
    found = [
        ph
        for token in _present(table, tokens)
        for ph in table[token]
        if ph.words >= shortest and ph.vocabulary <= tokens
    ]
    if index.cjk_phrases and not ex.lowered.isascii():
        found += [ph for ph in index.cjk_phrases if ph.words >= shortest]
    if not found:
        return phrased
    # Whitespace folded, so a phrase wrapped over two lines still matches.
    normalized = ex.lowered if ex.pasted_log else " ".join(ex.lowered.split())
    # A plain substring test first: most phrases whose words the message has are not in it.
    for ph in [ph for ph in found if ph.literal.text in normalized]:
        if not affirmed(normalized, ph.literal, ph.words >= STRONG_PHRASE_WORDS):
            continue
        # A sentence (an error's localized text) identifies a problem; a two-word API
        # name only says what the question is about.
        sentence = ph.words >= STRONG_PHRASE_WORDS
        # "Connection reset by peer" comes from kubectl and Python as much as from an
        # iPhone: alone it identifies the error, not that the question is ours to answer.
        strong = sentence and ours.backs(ph.entry, ph.shared)
        if sentence:
            strength = min(PHRASE_STRENGTH + 0.03 * (ph.words - 4), 0.85)
        else:
            strength = 0.2 + 0.1 * ph.words
            if ph.shared:
                # "the network is unreachable" in a sentence is plain English, not a pasted errno.
                strength *= SHARED_SHORT_PHRASE_FACTOR
            strength *= words.share(ph.entry) ** SHORT_PHRASE_WORDS_POWER
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
    """Keys of ``table`` among ``tokens``, iterating the smaller side (a log has 100k tokens).

    The order never depends on the process: a set's order changes with the string hash seed, and
    evidence added in that order would list the same reasons differently from one run to the next.
    """
    # filter() with a bound __contains__ runs the loop in C; the few keys found are sorted.
    if len(tokens) < len(table):
        return sorted(filter(table.__contains__, tokens))
    return list(filter(tokens.__contains__, table))


def _best_reasons(ev: Evidence, word_reason: Callable[[], str]) -> list[str]:
    order = sorted(range(len(ev.why)), key=lambda k: -ev.strengths[k])
    return [word_reason() if ev.why[k] == WORDS_REASON else ev.why[k] for k in order[:6]]
