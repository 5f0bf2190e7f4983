"""How a combined answer names its two parts in its headline.

"-1202 (server trust evaluation failed) because errSSLNoRootCert -9813: ...", "-1022 explained in App
Transport Security exceptions ...": an error by its code (with its symbol when the number is small
enough for many domains to share), a nested cause by its symbol, code and meaning, a topic by its
title's head without the APIs and codes it lists in parentheses. See :mod:`bot.combine` for when two
matches are one answer.
"""

from __future__ import annotations

import re

from bot.brief import NAMED_BARE_CODE
from bot.models import Entry, Match
from bot.rank import SearchResult


def _describe(entry: Entry) -> str:
    """What an entry's error means, in a few words: a curated title's part after the colon
    ("... (-1202): server trust evaluation failed"), a catalog row's meaning."""
    if not entry.curated:
        return entry.summary.rstrip(".")
    head, sep, tail = entry.title.partition(": ")
    return tail if sep else head


def _head(entry: Entry) -> str:
    """What an entry is, in short: its title before the colon (the APIs a title lists after it are
    in its short answer anyway)."""
    return entry.title.partition(": ")[0]


# A topic's head keeps its parentheses when fewer characters than this would be left without them.
SHORT_HEAD_MIN = 20


def topic_name(entry: Entry) -> str:
    """A topic as a headline names it: its head without its parentheses ("TLS server trust failures
    (-1202, -9807, -9813, CERTIFICATE_VERIFY_FAILED)" -> "TLS server trust failures", "Where iOS content
    filters (NEFilterDataProvider / NEFilterControlProvider) can run" -> "Where iOS content filters can
    run"). The APIs and codes they list are in the short answer's summary and checks, and in a chat
    channel the headline is read whole or not at all. A name left too short keeps them."""
    head = name = _head(entry)
    while True:  # innermost first, with the space before each: "deleteCookie(_:) seems" -> "deleteCookie seems"
        shorter = _PARENTHESIS.sub("", name)
        if shorter == name:
            break
        name = shorter
    if "(" in name or ")" in name or len(name) < SHORT_HEAD_MIN:
        return head  # an unbalanced parenthesis is not one to drop; a name left too short keeps them
    return name


_PARENTHESIS = re.compile(r"\s*\([^()]*\)")


def _key(m: Match, result: SearchResult) -> tuple[str, int] | None:
    """The error key the paste named ``m`` by, else that of an entry about one error (one code, perhaps
    in two domains: NSURLErrorDomain and kCFErrorDomainCFNetwork): a match found by its localized
    message or its symbol is labelled by its code like one found by its key."""
    key = result.keys.get(m.entry.id)
    if key is not None:
        return key
    primary = m.entry.primary
    return primary[0].key if primary and len({err.code for err in primary}) == 1 else None


def _symbol(entry: Entry, key: tuple[str, int]) -> str:
    # The entry may list the key under an equivalent domain (kCFErrorDomainCFNetwork for NSURLErrorDomain).
    refs = sorted(entry.errors, key=lambda e: e.key != key)
    return next((e.symbol for e in refs if e.code == key[1] and e.symbol), key[0])


def outer_label(m: Match, result: SearchResult, described: bool) -> str:
    """ "-1202 (server trust evaluation failed)"; a small number, which many domains share, keeps
    its symbol: "EHOSTUNREACH 65 (...)". Not ``described`` when the answer shows the error's summary
    (beside the topic that explains it), which says what it means."""
    key = _key(m, result)
    if key is None:
        return m.entry.title if described else _head(m.entry)
    code = f"{key[1]}" if abs(key[1]) >= NAMED_BARE_CODE else f"{_symbol(m.entry, key)} {key[1]}"
    return f"{code} ({_describe(m.entry)})" if described else code


def cause_label(m: Match, result: SearchResult, nested: bool) -> str:
    if not nested:
        # "... explained in Pre-approving Network Extension system extensions on managed Macs"
        return topic_name(m.entry)
    key = _key(m, result)
    if key is None:
        return m.entry.title
    return f"{_symbol(m.entry, key)} {key[1]}: {_describe(m.entry)}"
