"""Two top matches that are one answer: an error and its underlying error, or the topic behind it.

A paste such as ``NSURLErrorDomain -1202`` with ``_kCFStreamErrorCodeKey=-9813`` matches the
-1202 entry and the -9813 entry at nearly the same confidence. That is not a tie between two
answers: the app saw -1202 *because of* -9813. Which code is nested in which comes from the
paste's structure (:func:`bot.extract.nesting`), never from a list of codes; an error and a
topic entry pair up only when the knowledge base relates them and the paste found both.
Anything else close to the top is still a tie.

A question in prose that quotes a code but asks how or why ("-1009 until the user accepts the
hotel's terms page: how do apps detect a captive portal?") is about a topic: the code's entry
wins on the exact key, yet the words point far more at a curated topic that the knowledge base
relates to that error. Posting the error alone answers the wrong question; :func:`explained`
pairs them as "error explained in topic" instead. When no pairing answers it (the knowledge base
does not relate the two, or the pair is not sure enough to post), :func:`asked_topic_first` still
ranks the topic the question asks about above the error it only names.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from bot.labels import cause_label, outer_label
from bot.models import Combined, Entry, Match
from bot.rank import SearchResult


def combine(result: SearchResult, bar: float, margin: float) -> Combined | None:
    """The combined answer, when the leading matches are one error and what lies under it.

    Both parts must reach ``bar`` and be backed by more than words; every other match must
    trail the weaker part by ``margin``, except entries the two parts name as related (a
    "see also" is no rival answer).
    """
    matches = result.matches
    if len(matches) < 2 or matches[0].confidence < bar:
        return None
    contenders = [m for m in matches if m.confidence >= bar and m.entry.id in result.strong]
    for a, b in combinations(contenders, 2):
        pair = _pair(result, a, b)
        if pair is None:
            continue
        outer, cause, nested = _diagnosis(result, contenders, pair)
        floor = min(outer.confidence, cause.confidence)
        # An error nested in the outer one (an errno that gave way to a topic, see _diagnosis) is part
        # of the same error, no rival answer.
        rivals = [
            m
            for m in matches
            if m is not outer
            and m is not cause
            and (outer.entry.id, m.entry.id) not in result.nested
            and not _related(m.entry, outer.entry, cause.entry)
        ]
        if rivals and floor - rivals[0].confidence < margin:
            return None
        label = outer_label(outer, result, described=nested)
        return Combined(outer, cause, nested, label, cause_label(cause, result, nested))
    return None


def _diagnosis(
    result: SearchResult, contenders: list[Match], pair: tuple[Match, Match, bool]
) -> tuple[Match, Match, bool]:
    """``pair``, or the outer error with a topic that explains it when the nested cause is an errno.

    An errno under an error (-1009 with ENETDOWN 50) is a symptom many causes share; a topic whose
    signature the paste carries (a pattern: ``unsatisfied (Local network prohibited)``) and that
    explains the outer error says which cause it was. A topic only named (an ATS key in the question)
    is no such sign: the errno may be the diagnosis (ECONNREFUSED: nothing listens on that address).
    """
    outer, cause, nested = pair
    if not nested or cause.entry.id not in result.everywhere:
        return pair
    key = result.keys.get(outer.entry.id)
    for m in contenders:
        if is_topic(m.entry) and m.entry.id in result.patterned and _explains(m.entry, outer.entry, key):
            return outer, m, False
    return pair


# A topic explains the quoted error when the question's words favour it at least about as much as
# the error's own entry (the error's entry repeats the code's words, so a question about the topic
# rarely beats it by much), and match it well (BM25; about a dozen distinctive terms).
EXPLAINS_WORDS = 0.9
EXPLAINS_MIN_WORDS = 30.0
# Unless they favour it twice as much as the error's entry, they must also favour it clearly over every
# other topic shown: two topics close together mean the words do not say which one the question is
# about, and a wrong "explained in" is worse than the error alone.
EXPLAINS_CLEARLY = 2.0
EXPLAINS_TOPIC_LEAD = 1.25


def explained(result: SearchResult, bar: float, margin: float) -> Combined | None:
    """The quoted error and the topic a prose question asks about, as one answer (see module doc).

    The error's entry must lead on its code or symbol (confident, backed by more than words). The
    topic must be the curated topic the words favour most, at least about as much as the error's
    entry and clearly more than any other topic, and related to that error (a "see also" either
    way, or claiming its code as ``role = "related"``). Another error as close as the quoted one
    is a tie, not an explanation. A pasted log's words are the log's, not a question's.
    """
    matches = result.matches
    if len(matches) < 2 or result.extraction.pasted_log:
        return None
    error = matches[0]
    if not is_error(error.entry) or error.confidence < bar or error.entry.id not in result.strong:
        return None
    topic = _explaining_topic(result, error)
    if topic is None:
        return None
    rivals = [m for m in matches if m is not error and m is not topic and m.entry.id in result.keys]
    if rivals and error.confidence - rivals[0].confidence < margin:
        return None
    return Combined(error, topic, False, outer_label(error, result, described=False), cause_label(topic, result, False))


# A question that names an error only by its number or symbol asks about the topic its words favour
# at least this much more than the error's own entry, with at least this BM25 score.
ASKED_TOPIC_LEAD = 1.3
ASKED_TOPIC_MIN_WORDS = 15.0
# A topic this close to the words' leader counts as the words' choice when the leader is no topic.
ASKED_NEAR_LEADER = 0.98


def asks_more_than(topic_words: float, error_words: float) -> bool:
    """Whether a topic's BM25 over a question says it is asked about rather than an error it names."""
    return topic_words >= ASKED_TOPIC_MIN_WORDS and topic_words >= ASKED_TOPIC_LEAD * error_words


def asked_topic_first(result: SearchResult, bar: float, margin: float) -> SearchResult:
    """``result`` with the topic a prose question asks about ranked above the error it names in passing.

    "QA keeps hitting -1005; can URLSession log what it does?" asks for the logging topic. The error
    must be named only by a bare number or a symbol (a pasted ``Error Domain=...`` or message is what
    the question is about), the words' leader must be a curated topic shown among the matches, and
    no combined answer (:func:`explained`, :func:`combine`) may already answer both. Entries ranked
    between the error and the topic must be there by that code only (a topic claiming it, found by
    nothing of its own). The topic goes first; the error and those entries fall to the topic's
    confidence: the question names the code, but the answer it asks for is the topic's, and the
    matches stay in order of confidence.
    """
    matches = result.matches
    if len(matches) < 2 or result.extraction.pasted_log:
        return result
    error = matches[0]
    if error.entry.kind != "error" or error.entry.id not in result.named:
        return result
    # The topic the words favour most: the words' leader, or a topic about as close behind an error
    # entry that only words found ("local network permission" is DNS-SD PolicyDenied's alias too).
    topics = [k for k, m in enumerate(matches) if k and is_topic(m.entry)]
    if not topics:
        return result
    at = max(topics, key=lambda k: result.words.get(matches[k].entry.id, 0.0))
    topic = matches[at]
    if topic.entry.id != result.word_lead[0] and (
        result.words.get(topic.entry.id, 0.0) < ASKED_NEAR_LEADER * result.word_lead[1]
        or result.word_lead[0] in result.strong
    ):
        return result
    if any(m.entry.id in result.strong and m.entry.id not in result.named for m in matches[1:at]):
        return result  # something above the topic was found by more than the code named in passing
    words = result.words.get(topic.entry.id, 0.0)
    if not asks_more_than(words, result.words.get(error.entry.id, 0.0)):
        return result
    if explained(result, bar, margin) is not None or combine(result, bar, margin) is not None:
        return result
    # Entries ranked between them got there by the code named in passing (their words are fewer than
    # the topic's, which leads the words): that lift counts no more than the error's own.
    lifted = tuple(replace(m, confidence=topic.confidence) for m in matches[:at])
    return replace(result, matches=(topic, *lifted, *matches[at + 1 :]))


def topic_bar(result: SearchResult, error: Match) -> float:
    """The words a topic needs for a question quoting ``error`` to be about it rather than the error."""
    return max(EXPLAINS_WORDS * result.words.get(error.entry.id, 0.0), EXPLAINS_MIN_WORDS)


def _explaining_topic(result: SearchResult, error: Match) -> Match | None:
    """The topic among the matches that the question's words favour most, when it explains ``error``."""
    topics = [m for m in result.matches[1:] if is_topic(m.entry)]
    if not topics:
        return None
    ranked = sorted(topics, key=lambda m: result.words.get(m.entry.id, 0.0), reverse=True)
    topic = ranked[0]
    words = result.words.get(topic.entry.id, 0.0)
    own = result.words.get(error.entry.id, 0.0)
    if words < topic_bar(result, error):
        return None
    runner = result.words.get(ranked[1].entry.id, 0.0) if len(ranked) > 1 else 0.0
    # The entry the words favour most is always shown (bot.rank._ranked): when it is a topic, it is
    # this one, so a topic shown here is never one the words rank below an unseen better one.
    if words < EXPLAINS_CLEARLY * own and words < EXPLAINS_TOPIC_LEAD * runner:
        return None
    return topic if _explains(topic.entry, error.entry, result.keys.get(error.entry.id)) else None


def _pair(result: SearchResult, a: Match, b: Match) -> tuple[Match, Match, bool] | None:
    """(outer, cause, nested) when ``a`` and ``b`` are one answer, else None."""
    if (a.entry.id, b.entry.id) in result.nested:
        return a, b, True
    if (b.entry.id, a.entry.id) in result.nested:
        return b, a, True
    for error, topic in ((a, b), (b, a)):
        # The error may have been found by its message ("Socket is not connected"), not a code.
        key = result.keys.get(error.entry.id)
        if is_error(error.entry) and is_topic(topic.entry) and _explains(topic.entry, error.entry, key):
            return error, topic, False
    return None


def is_error(entry: Entry) -> bool:
    """An entry about one error: a curated error entry, or a row of an error-code catalog."""
    return entry.kind == "error" or not entry.curated


def is_topic(entry: Entry) -> bool:
    """A curated entry that is not itself about one error: a how-to, a known issue, a reference."""
    return entry.curated and entry.kind != "error"


def _explains(topic: Entry, error: Entry, key: tuple[str, int] | None) -> bool:
    """Whether the knowledge base ties ``topic`` to ``error``, found by ``key`` (None: by its message):
    a "see also" either way, or the topic claiming that code (one of the error's own) as related."""
    if _related(topic, error):
        return True
    keys = [key] if key is not None else [err.key for err in error.primary]
    return any(topic.claims(k) for k in keys)


def _related(entry: Entry, *others: Entry) -> bool:
    """Whether the knowledge base relates ``entry`` to any of ``others``, in either direction."""
    return any(o.id in entry.related or entry.id in o.related for o in others)
