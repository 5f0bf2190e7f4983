"""Two top matches that are one answer: an error and its underlying error, or the topic behind it.

A paste such as ``NSURLErrorDomain -1202`` with ``_kCFStreamErrorCodeKey=-9813`` matches the
-1202 entry and the -9813 entry at nearly the same confidence. That is not a tie between two
answers: the app saw -1202 *because of* -9813. Which code is nested in which comes from the
paste's structure (:func:`bot.extract.nesting`), never from a list of codes; an error and a
topic entry pair up only when the knowledge base relates them and the paste found both.
Anything else close to the top is still a tie.
"""

from __future__ import annotations

from itertools import combinations

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
        outer, cause, nested = pair
        floor = min(a.confidence, b.confidence)
        rivals = [m for m in matches if m is not a and m is not b and not _related(m.entry, a.entry, b.entry)]
        if rivals and floor - rivals[0].confidence < margin:
            return None
        return Combined(outer, cause, nested, _outer_label(outer, result), _cause_label(cause, result, nested))
    return None


def _pair(result: SearchResult, a: Match, b: Match) -> tuple[Match, Match, bool] | None:
    """(outer, cause, nested) when ``a`` and ``b`` are one answer, else None."""
    if (a.entry.id, b.entry.id) in result.nested:
        return a, b, True
    if (b.entry.id, a.entry.id) in result.nested:
        return b, a, True
    for error, topic in ((a, b), (b, a)):
        if error.entry.id in result.keys and _is_topic(topic.entry) and _related(topic.entry, error.entry):
            return error, topic, False
    return None


def _is_topic(entry: Entry) -> bool:
    """A curated entry that is not itself about one error: a how-to, a known issue, a reference."""
    return entry.curated and entry.kind != "error"


def _related(entry: Entry, *others: Entry) -> bool:
    """Whether the knowledge base relates ``entry`` to any of ``others``, in either direction."""
    return any(o.id in entry.related or entry.id in o.related for o in others)


def _describe(entry: Entry) -> str:
    """What an entry's error means, in a few words: a curated title's part after the colon
    ("... (-1202): server trust evaluation failed"), a catalog row's meaning."""
    if not entry.curated:
        return entry.summary.rstrip(".")
    head, sep, tail = entry.title.partition(": ")
    return tail if sep else head


def _symbol(entry: Entry, key: tuple[str, int]) -> str:
    # The entry may list the key under an equivalent domain (kCFErrorDomainCFNetwork for NSURLErrorDomain).
    refs = sorted(entry.errors, key=lambda e: e.key != key)
    return next((e.symbol for e in refs if e.code == key[1] and e.symbol), key[0])


def _outer_label(m: Match, result: SearchResult) -> str:
    """ "-1202 (server trust evaluation failed)"; a small number, which many domains share, keeps
    its symbol: "EHOSTUNREACH 65 (...)"."""
    key = result.keys.get(m.entry.id)
    if key is None:
        return m.entry.title
    code = f"{key[1]}" if abs(key[1]) >= 100 else f"{_symbol(m.entry, key)} {key[1]}"
    return f"{code} ({_describe(m.entry)})"


def _cause_label(m: Match, result: SearchResult, nested: bool) -> str:
    key = result.keys.get(m.entry.id)
    if not nested or key is None:
        return m.entry.title
    return f"{_symbol(m.entry, key)} {key[1]}: {_describe(m.entry)}"
