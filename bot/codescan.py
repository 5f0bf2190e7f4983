"""Reading error codes out of text: every form a code takes in a paste, one pass per form.

Each pass is its own method of :class:`CodeScan`, so a new form is a new method; they share
one rule for what counts once (:meth:`CodeScan.add`). Every pattern is linear (no nested
unbounded repeats: a test checks the parsed patterns) and read at most MAX_MATCHES times.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from bot.domains import DomainTable
from bot.text import has_digit

# How a code was found; the index weighs explicit forms above bare numbers.
EXPLICIT = "explicit"  # the domain is named with the code
STREAM = "stream"  # a CFStream domain number names the domain
MARKED = "marked"  # "Code=2", "error 61": clearly an error code, domain unknown
BARE = "bare"  # a lone negative number


@dataclass(frozen=True, slots=True)
class FoundCode:
    """One error code in the text. ``domain`` is canonical, or None when not named."""

    domain: str | None
    code: int
    form: str
    underlying: bool
    text: str  # the snippet it was read from, for the "why"
    pos: int = -1  # where the number stands in the analysed text


def nesting(codes: list[FoundCode]) -> list[tuple[int, int]]:
    """(outer, underlying) pairs of indexes into ``codes``.

    An underlying code (NSUnderlyingError, _kCFStreamErrorCodeKey, ``[3:-9813]``) belongs to
    the nearest code before it that is not itself underlying: the error it was nested in.
    """
    out = []
    outer = -1
    for k in sorted(range(len(codes)), key=lambda k: codes[k].pos):
        code = codes[k]
        if not code.underlying:
            outer = k
        elif outer >= 0 and code.pos - codes[outer].pos <= NEST_REACH:
            out.append((outer, k))
    return out


class _LiteralFirst:
    """One or several regexes, each starting with a literal, searched one after another.

    Python's regex engine scans fast for a leading literal but not for a leading \\b or an
    alternation; on a 1 MB log that is the difference between 1 ms and 30 ms a pattern. A
    pattern whose literal the text lacks is not started at all: a search costs a microsecond
    even when it finds nothing, and a question holds few of these literals.
    """

    def __init__(self, rest_by_prefix: dict[str, str]) -> None:
        self.prefixes = tuple(rest_by_prefix)
        self.patterns = tuple(re.compile(re.escape(p) + rest) for p, rest in rest_by_prefix.items())
        self.single = self.patterns[0] if len(self.patterns) == 1 else None
        self._pairs = tuple(zip(self.prefixes, self.patterns, strict=True))

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The first MAX_MATCHES matches of every pattern, in text order.

        Sorting the capped lists is the same as a lazy heapq.merge cut at MAX_MATCHES (no
        pattern can give more than that to the first MAX_MATCHES), without a Python-level
        merge step per match: that cost 7 ms on a 1 MB log of "Code=" numbers.
        """
        if self.single is not None:
            # Matches of one pattern come in text order already; the list and its sort cost more than the search.
            return self.single.finditer(text) if self.prefixes[0] in text else iter(())
        # A pattern whose literal is not in the text is not started: most questions hold none of them.
        present = [p for prefix, p in self._pairs if prefix in text]
        if len(present) <= 1:
            # As for a single pattern: nothing to merge, and the list and sort cost more than the search.
            return present[0].finditer(text) if present else iter(())
        found = [m for p in present for m in islice(p.finditer(text), MAX_MATCHES)]
        found.sort(key=re.Match.start)
        return iter(found)


_ERROR_DOMAIN_RE = _LiteralFirst({"Error Domain=": r"([A-Za-z_][\w.]{0,80}) Code=(-?\d{1,7})"})
# Any "...ErrorDomain" followed by a code, so a code of a domain we do not know (NSCocoaErrorDomain
# 3840, SKErrorDomain 0) is read as that domain's and never mistaken for one of ours.
_ANY_DOMAIN_RE = _LiteralFirst({"ErrorDomain": r"\b[\"',:=\s]{1,4}(?:(?:[Cc]ode|error)[\s=:]{1,3})?(-?\d{1,7})\b"})
# A domain name's characters, as read back from "...ErrorDomain": letters, digits, "_" and "."
# (\w is what str.isalnum() accepts, plus "_": a test checks every character).
_NAME_BACK_RE = re.compile(r"[\w.]*")
_UNDERLYING_RE = re.compile(r"NSUnderlyingError\S{0,4}\s{0,2}(?:0x[0-9a-fA-F]{1,16}\s{0,2})?[{(=\s\"]{0,4}$")
_KEY_SEP = r"[\"'=:\s]{1,4}"
_STREAM_DOMAIN_RE = _LiteralFirst({"_kCFStreamErrorDomainKey": _KEY_SEP + r"(-?\d{1,3})\b"})
_STREAM_CODE_RE = _LiteralFirst({"_kCFStreamErrorCodeKey": _KEY_SEP + r"(-?\d{1,7})\b"})
_SSL_ORIGINAL_RE = _LiteralFirst({"_kCFNetworkCFStreamSSLErrorOriginalValue": _KEY_SEP + r"(-?\d{1,7})\b"})
_BRACKET_PAIR_RE = _LiteralFirst({"[": r"(-?\d{1,3}):(-?\d{1,7})\]"})


def _scan(regex: _LiteralFirst, text: str) -> Iterable[re.Match[str]]:
    """The first MAX_MATCHES matches: after folding, more than that is noise, not a paste."""
    if regex.single is not None and regex.prefixes[0] not in text:
        return ()  # most patterns, on most questions: no iterators made
    return islice(regex.finditer(text), MAX_MATCHES)


# The patterns below leave out a leading \b: it defeats the regex engine's literal-prefix scan
# and makes a 1 MB log several times slower. _glued() does that check on the few matches.
_POSIX_BRACKET_RE = _LiteralFirst({"[": r"(\d{1,3}): ?[A-Z][a-z]"})
_POSIX_WORD_RE = _LiteralFirst(
    dict.fromkeys(("POSIX", "Posix", "posix", "errno", "Errno"), r"(?:ErrorCode| error)?[ :=(#]{0,3}(\d{1,3})\b")
)
_POSIX_PAIR_RE = _LiteralFirst({"error ": r"\d{1,2}:(\d{1,3})\b"})
_POSIX_STRERR_RE = _LiteralFirst({": [": r"(\d{1,3})\] [A-Z][a-z]"})
_OSSTATUS_RE = _LiteralFirst(dict.fromkeys(("OSStatus", "status", "Status"), r"(?: error)?[ :=]{0,3}(-\d{1,7})\b"))
_HEX_RE = _LiteralFirst({"0x": r"([0-9A-Fa-f]{8})(?![0-9A-Za-z_])"})
_NW_ENUM_RE = _LiteralFirst(dict.fromkeys(("posix(", "dns(", "tls("), r"(-?\d{1,7})\)"))
# Lower-case "code=1" is too common outside error reports (Mach exception codes) to trust
# unless the number is negative.
_MARKED_RE = _LiteralFirst(
    {
        "Code": r" ?[=:] ?(-?\d{1,7})\b",
        "error": r"(?: code:? ?|:? |\s#)(-?\d{1,7})\b",
        "Error": r"(?: code:? ?|:? |\s#)(-?\d{1,7})\b",
        "err": r" ?= ?(-?\d{1,7})\b",
        "code": r" ?[=:] ?(-\d{1,7})\b",
    }
)
_BARE_NEG_RE = _LiteralFirst({"-": r"(\d{3,7})(?!\w|\.\w)"})
_SEPARATOR_RE = re.compile(
    r"[\"']?[^\S\n]{0,3}[:,=(\[]?[^\S\n]{0,3}"
    r"(?:(?:error|Error|code|Code|err|status|rawValue)[^\S\n]{0,2}[:=#]?[^\S\n]{0,3})?"
    r"(?:Code[^\S\n]{0,2}=[^\S\n]{0,2})?(-?\d{1,7})\b"
)
_NW_ENUM_DOMAINS = {"posix": "NSPOSIXErrorDomain", "dns": "kNWErrorDomainDNS", "tls": "NSOSStatusErrorDomain"}
STREAM_PAIR_REACH = 600  # how far a _kCFStreamErrorCodeKey may stand from its domain key
DOMAIN_NAME_MAX = 80  # longest domain name read backwards from "...ErrorDomain"
NEST_REACH = 4000  # how far an underlying code may stand from the error it is nested in
MAX_MATCHES = 1000  # matches read per pattern, after repeats are folded out
MAX_CODES = 200  # distinct code readings kept from one message (a real paste has a handful)


def _glued(text: str, start: int) -> bool:
    """True when a match starts inside a word."""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")


class DomainNames(Protocol):
    """What the scan needs from the extractor: canonical domain names and where they are mentioned."""

    @property
    def domains(self) -> DomainTable: ...
    @property
    def aliases(self) -> Mapping[str, str]: ...

    def canonical(self, name: str) -> str | None: ...
    def alias_mentions(self, text: str, tokens: set[str], lowered: set[str]) -> list[tuple[int, int, str]]: ...


class _Full(Exception):
    """MAX_CODES readings are kept: no later match can add one, so the scan stops."""


class CodeScan:
    """One message's codes: build, :meth:`run`, read :attr:`found`."""

    def __init__(self, text: str, names: DomainNames) -> None:
        self.text = text
        self.names = names
        self.found: list[FoundCode] = []
        self._taken: set[int] = set()  # start offsets of numbers already read
        self._seen: set[tuple[str | None, int, str, bool]] = set()

    def run(self, tokens: set[str], lowered: set[str]) -> list[FoundCode]:
        """Every pass, most explicit form first (a number read once is not read again)."""
        if not has_digit(self.text):
            return self.found  # every form holds a digit (a hex code's "0x" too): most questions have none
        try:
            self.explicit_domains()
            self.stream_keys()
            self.posix_and_status()
            self.alias_codes(tokens, lowered)
            self.loose_numbers()
        except _Full:
            pass  # a log of many distinct codes: the rest of it cannot change what was found
        return self.found

    def add(self, domain: str | None, code: int, form: str, underlying: bool, pos: int, snippet: str) -> None:
        """Record one reading, unless its number was read already or it repeats a reading."""
        if pos in self._taken:
            return
        self._taken.add(pos)
        # A code read the same way twice is one piece of evidence (the ranking counts it
        # once); keeping one FoundCode per reading bounds the ranking's work per distinct key.
        key = (domain, code, form, underlying)
        if key in self._seen:
            return
        self._seen.add(key)
        self.found.append(FoundCode(domain, code, form, underlying, snippet.strip()[:120], pos))
        if len(self.found) >= MAX_CODES:
            # found only grows and _taken only gates additions, so nothing after this counts.
            raise _Full

    def is_underlying(self, start: int) -> bool:
        # endpos reads as the end of the text for $, as the end of a slice would, without copying one.
        return _UNDERLYING_RE.search(self.text, max(0, start - 48), start) is not None

    def explicit_domains(self) -> None:
        """``Error Domain=X Code=N`` and ``SomethingErrorDomain ... N``."""
        text, names = self.text, self.names
        for m in _scan(_ERROR_DOMAIN_RE, text):
            domain = names.canonical(m.group(1)) or m.group(1)
            self.add(domain, int(m.group(2)), EXPLICIT, self.is_underlying(m.start()), m.start(2), m.group(0))
        for m in _scan(_ANY_DOMAIN_RE, text):
            floor = max(0, m.start() - DOMAIN_NAME_MAX)
            # The name's characters back from "ErrorDomain", matched in C on the reversed run.
            back = _NAME_BACK_RE.match(text[floor : m.start()][::-1])
            name_start = m.start() - (back.end() if back else 0)
            name = text[name_start : m.start()] + "ErrorDomain"
            domain = names.canonical(name) or name
            snippet = text[name_start : m.end()]
            self.add(domain, int(m.group(1)), EXPLICIT, self.is_underlying(name_start), m.start(1), snippet)

    def stream_keys(self) -> None:
        """``_kCFStreamErrorCodeKey`` paired with the nearest domain key, the SSL original value,
        and ``[domain:code]`` pairs: all underlying codes."""
        text, streams = self.text, self.names.domains.stream_domains
        domain_keys = [(m.start(), int(m.group(1))) for m in _scan(_STREAM_DOMAIN_RE, text)]
        key_positions = [pos for pos, _ in domain_keys]
        for m in _scan(_STREAM_CODE_RE, text):
            # The nearest domain key on either side (bisect: a log may hold thousands of pairs).
            k = bisect_left(key_positions, m.start())
            near = [
                (abs(domain_keys[j][0] - m.start()), domain_keys[j][1]) for j in (k - 1, k) if 0 <= j < len(domain_keys)
            ]
            near = [(d, num) for d, num in near if d < STREAM_PAIR_REACH]
            stream = streams.get(min(near)[1]) if near else None
            self.add(stream, int(m.group(1)), STREAM if stream else MARKED, True, m.start(1), m.group(0))
        ssl = streams.get(3)
        for m in _scan(_SSL_ORIGINAL_RE, text):
            self.add(ssl, int(m.group(1)), STREAM if ssl else MARKED, True, m.start(1), m.group(0))
        for m in _scan(_BRACKET_PAIR_RE, text):
            stream = streams.get(int(m.group(1)))
            if stream is not None:
                self.add(stream, int(m.group(2)), STREAM, True, m.start(2), m.group(0))

    def posix_and_status(self) -> None:
        """errno in its usual spellings, OSStatus, and Network framework's ``posix(61)``."""
        text, names = self.text, self.names
        posix = names.domains.stream_domains.get(1) or names.canonical("POSIX")
        for regex, check in ((_POSIX_BRACKET_RE, False), (_POSIX_WORD_RE, True), (_POSIX_PAIR_RE, True)):
            self._domain_pass(regex, posix, check)
        self._domain_pass(_POSIX_STRERR_RE, posix, False)
        self._domain_pass(_OSSTATUS_RE, names.canonical("OSStatus"), True)
        for m in _scan(_NW_ENUM_RE, text):
            domain = _NW_ENUM_DOMAINS[m.group(0).split("(", 1)[0]]
            if domain in names.aliases and not _glued(text, m.start()):
                self.add(domain, int(m.group(1)), EXPLICIT, False, m.start(1), m.group(0))

    def _domain_pass(self, regex: _LiteralFirst, domain: str | None, check_glued: bool) -> None:
        for m in _scan(regex, self.text):
            if not (check_glued and _glued(self.text, m.start())):
                self.add(domain, int(m.group(1)), EXPLICIT if domain else MARKED, False, m.start(1), m.group(0))

    def alias_codes(self, tokens: set[str], lowered: set[str]) -> None:
        """A domain alias ("errSSL", "kCFErrorDomainCFNetwork") followed by a number."""
        for start, end, alias in self.names.alias_mentions(self.text, tokens, lowered):
            after = _SEPARATOR_RE.match(self.text, end)
            if after is not None:
                snippet = self.text[start : after.end()]
                domain = self.names.canonical(alias)
                self.add(domain, int(after.group(1)), EXPLICIT, self.is_underlying(start), after.start(1), snippet)

    def loose_numbers(self) -> None:
        """OSStatus as 32-bit hex, ``Code=N``-style marked numbers, and bare negative numbers."""
        text = self.text
        for m in _scan(_HEX_RE, text):
            if _glued(text, m.start()):
                continue
            value = int(m.group(1), 16)
            if value >= 0x80000000:
                value -= 0x100000000
            if -200_000 <= value <= -1:
                self.add(None, value, BARE, False, m.start(), m.group(0))
        for m in _scan(_MARKED_RE, text):
            if not _glued(text, m.start()):
                self.add(None, int(m.group(1)), MARKED, self.is_underlying(m.start()), m.start(1), m.group(0))
        for m in _scan(_BARE_NEG_RE, text):
            before = text[m.start() - 1] if m.start() else " "
            if not (before.isalnum() or before in "_.:/-"):
                self.add(None, -int(m.group(1)), BARE, False, m.start(), m.group(0))
