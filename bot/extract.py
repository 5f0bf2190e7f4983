"""Pulling error keys, symbols, crash signatures and words out of pasted text.

Every pattern here is linear: no nested unbounded repeats (a test checks the parsed
patterns), and domain names are found through the token set, not a big alternation. Domain knowledge (names, aliases, CFStream
numbers) comes from :class:`bot.domains.DomainTable`; which codes exist is decided later by
the index, so this module only reports what the text says.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from bot.crash import CrashInfo, parse_crash
from bot.domains import DomainTable
from bot.fold import fold_repeats
from bot.models import Attachment
from bot.text import TOKEN_RE

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


@dataclass
class Extraction:
    codes: list[FoundCode]
    token_counts: Counter[str]  # raw word tokens (case kept) and how often they occur
    tokens: set[str]  # raw tokens plus dotted names such as URLError.Code.timedOut
    lowered_tokens: set[str]
    text: str  # the analysed text (message, attachments, crash signatures), cut to the limit
    lowered: str
    crash: CrashInfo | None = None
    notes: list[str] = field(default_factory=list)
    source_chars: int = 0  # length before repeats were folded out of a pasted log

    @property
    def nested(self) -> list[tuple[int, int]]:
        """(outer, underlying) index pairs into ``codes``: which code was nested in which."""
        return nesting(self.codes)

    @property
    def pasted_log(self) -> bool:
        """Large input: tokens are lowercased and counted once, and costly scans are skipped."""
        return max(len(self.text), self.source_chars) > BIG_TEXT


_ERROR_DOMAIN_RE = re.compile(r"Error Domain=([A-Za-z_][\w.]{0,80}) Code=(-?\d{1,7})")
# Any "...ErrorDomain" followed by a code, so a code of a domain we do not know (NSCocoaErrorDomain
# 3840, SKErrorDomain 0) is read as that domain's and never mistaken for one of ours.
_ANY_DOMAIN_RE = re.compile(r"ErrorDomain\b[\"',:=\s]{1,4}(?:(?:[Cc]ode|error)[\s=:]{1,3})?(-?\d{1,7})\b")
_UNDERLYING_RE = re.compile(r"NSUnderlyingError\S{0,4}\s{0,2}(?:0x[0-9a-fA-F]{1,16}\s{0,2})?[{(=\s\"]{0,4}$")
_KEY_SEP = r"[\"'=:\s]{1,4}"
_STREAM_DOMAIN_RE = re.compile(r"_kCFStreamErrorDomainKey" + _KEY_SEP + r"(-?\d{1,3})\b")
_STREAM_CODE_RE = re.compile(r"_kCFStreamErrorCodeKey" + _KEY_SEP + r"(-?\d{1,7})\b")
_SSL_ORIGINAL_RE = re.compile(r"_kCFNetworkCFStreamSSLErrorOriginalValue" + _KEY_SEP + r"(-?\d{1,7})\b")
_BRACKET_PAIR_RE = re.compile(r"\[(-?\d{1,3}):(-?\d{1,7})\]")


class _LiteralFirst:
    """Several regexes, each starting with a literal, searched one after another; group 1 of
    every one is the code.

    Python's regex engine scans fast for a leading literal but not for a leading \\b or an
    alternation; on a 1 MB log that is the difference between 1 ms and 30 ms a pattern.
    """

    def __init__(self, rest_by_prefix: dict[str, str]) -> None:
        self.patterns = tuple(re.compile(re.escape(p) + rest) for p, rest in rest_by_prefix.items())

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Matches of every pattern in text order, lazily (a caller may stop early)."""
        return heapq.merge(*(p.finditer(text) for p in self.patterns), key=_start)


def _start(m: re.Match[str]) -> int:
    return m.start()


def _scan(regex: re.Pattern[str] | _LiteralFirst, text: str) -> Iterator[re.Match[str]]:
    """The first MAX_MATCHES matches: after folding, more than that is noise, not a paste."""
    return islice(regex.finditer(text), MAX_MATCHES)


# The patterns below leave out a leading \b: it defeats the regex engine's literal-prefix scan
# and makes a 1 MB log several times slower. _glued() does that check on the few matches.
_POSIX_BRACKET_RE = re.compile(r"\[(\d{1,3}): ?[A-Z][a-z]")
_POSIX_WORD_RE = _LiteralFirst(
    dict.fromkeys(("POSIX", "Posix", "posix", "errno", "Errno"), r"(?:ErrorCode| error)?[ :=(#]{0,3}(\d{1,3})\b")
)
_POSIX_PAIR_RE = re.compile(r"error \d{1,2}:(\d{1,3})\b")
_POSIX_STRERR_RE = re.compile(r": \[(\d{1,3})\] [A-Z][a-z]")
_OSSTATUS_RE = _LiteralFirst(dict.fromkeys(("OSStatus", "status", "Status"), r"(?: error)?[ :=]{0,3}(-\d{1,7})\b"))
_HEX_RE = re.compile(r"0x([0-9A-Fa-f]{8})(?![0-9A-Za-z_])")
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
_BARE_NEG_RE = re.compile(r"-(\d{3,7})(?![\w.])")
_SEPARATOR_RE = re.compile(
    r"[\"']?[^\S\n]{0,3}[:,=(\[]?[^\S\n]{0,3}"
    r"(?:(?:error|Error|code|Code|err|status)[^\S\n]{0,2}[:=#]?[^\S\n]{0,3})?"
    r"(?:Code[^\S\n]{0,2}=[^\S\n]{0,2})?(-?\d{1,7})\b"
)
_DOTTED_RE = re.compile(r"[A-Za-z_]\w{0,60}(?:\.\w{1,60}){1,4}")
_NW_ENUM_DOMAINS = {"posix": "NSPOSIXErrorDomain", "dns": "kNWErrorDomainDNS", "tls": "NSOSStatusErrorDomain"}
DOTTED_SCAN = 50_000  # dotted names (URLError.Code.timedOut) are looked for in this much text
# For pasted logs, translate+split tokenizes about twice as fast as a \w+ regex; it differs
# only on non-ASCII punctuation, which no index term contains.
_ASCII_PUNCT_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or c == 95)})
_ASCII_PUNCT_TO_SPACE_BYTES = bytes(c if c >= 128 or chr(c).isalnum() or c == 95 else 32 for c in range(256))
NON_ASCII_SCAN = 100_000  # characters of non-ASCII words in a log split on Unicode punctuation
BIG_TEXT = 100_000  # above this, a message is treated as a pasted log
STREAM_PAIR_REACH = 600  # how far a _kCFStreamErrorCodeKey may stand from its domain key
DOMAIN_NAME_MAX = 80  # longest domain name read backwards from "...ErrorDomain"
NEST_REACH = 4000  # how far an underlying code may stand from the error it is nested in
MAX_MATCHES = 1000  # matches read per pattern, after repeats are folded out
MAX_CODES = 200  # distinct code readings kept from one message (a real paste has a handful)


class Extractor:
    """Reads messages; built once per :class:`DomainTable` and reused across requests."""

    def __init__(self, domains: DomainTable, max_chars: int = 2_000_000) -> None:
        self.domains = domains
        self.max_chars = max_chars
        self.aliases = domains.alias_map()
        # Plain aliases are found through the token set; dotted ones ("NWError.dns") by search.
        self._plain_aliases = frozenset(a for a in self.aliases if TOKEN_RE.fullmatch(a))
        self._dotted_aliases = tuple(a for a in self.aliases if a not in self._plain_aliases)

    def _canonical(self, name: str) -> str | None:
        return self.aliases.get(name)

    def prepare(self, text: str, attachments: tuple[Attachment, ...] = ()) -> tuple[str, list[str], CrashInfo | None]:
        """Join message and attachments, clean control characters, cut to the limit."""
        notes: list[str] = []
        parts = [text]
        crash: CrashInfo | None = None
        for att in attachments:
            info = parse_crash(att.text)
            if info is not None and crash is None:
                crash = info
            parts.append(att.text)
        if crash is None:
            crash = parse_crash(text)
        if crash is not None:
            parts.append(crash.summary_line())
        joined = "\n".join(p for p in parts if p)
        cleaned = clean_text(joined)
        if len(cleaned) != len(joined):
            notes.append("control characters were removed from the input")
        if len(cleaned) > BIG_TEXT:
            # Before the cut, so an error after a long run of repeats is still read.
            folded = fold_repeats(cleaned)
            if len(folded) < len(cleaned):
                notes.append(f"repeated lines were read once ({len(folded):,} of {len(cleaned):,} characters)")
            cleaned = folded
        if len(cleaned) > self.max_chars:
            notes.append(f"input cut to the first {self.max_chars:,} characters of {len(cleaned):,}")
            cleaned = cleaned[: self.max_chars]
        return cleaned, notes, crash

    def extract(self, text: str, attachments: tuple[Attachment, ...] = ()) -> Extraction:
        """Find every error code, token and crash signature in a message and its attachments."""
        analysed, notes, crash = self.prepare(text, attachments)
        source_chars = len(text) + sum(len(a.text) for a in attachments)
        lowered = analysed.lower()
        if source_chars <= BIG_TEXT:
            counts = Counter(TOKEN_RE.findall(analysed))
            tokens = set(counts)
            head = analysed[:DOTTED_SCAN]
            if "." in head:
                tokens.update(_DOTTED_RE.findall(head))
            lowered_tokens = {t.lower() for t in tokens}
        else:
            # A pasted log: one pass over the lowered text; every token counts once. Case only
            # matters for domain names, which _alias_mentions re-checks against the text.
            lowered_tokens = _log_tokens(lowered)
            counts = Counter(dict.fromkeys(lowered_tokens, 1))
            tokens = lowered_tokens
        codes = self.find_codes(analysed, tokens, lowered_tokens)
        return Extraction(codes, counts, tokens, lowered_tokens, analysed, lowered, crash, notes, source_chars)

    def _alias_mentions(self, text: str, tokens: set[str], lowered: set[str]) -> list[tuple[int, int, str]]:
        """(start, end, alias) for every domain name in the text, found without a big regex."""
        out = []
        present = [a for a in self._plain_aliases if a in tokens or (a.lower() in lowered and a in text)]
        present += [a for a in self._dotted_aliases if a in text]
        for alias in present:
            pos = text.find(alias)
            while pos != -1:
                end = pos + len(alias)
                before = text[pos - 1] if pos else " "
                after = text[end] if end < len(text) else " "
                if not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_"):
                    out.append((pos, end, alias))
                pos = text.find(alias, end)
        return out

    def find_codes(self, text: str, tokens: set[str] | None = None, lowered: set[str] | None = None) -> list[FoundCode]:
        """Every error code in ``text``, with its domain where the text names one."""
        if tokens is None:
            tokens = set(TOKEN_RE.findall(text))
        if lowered is None:
            lowered = {t.lower() for t in tokens}
        found: list[FoundCode] = []
        taken: set[int] = set()  # start offsets of numbers already read

        seen: set[tuple[str | None, int, str, bool]] = set()

        def add(domain: str | None, code: int, form: str, underlying: bool, pos: int, snippet: str) -> None:
            if pos in taken:
                return
            taken.add(pos)
            # A code read the same way twice is one piece of evidence (the ranking counts it
            # once); keeping one FoundCode per reading bounds the ranking's work per distinct key.
            key = (domain, code, form, underlying)
            if key in seen or len(found) >= MAX_CODES:
                return
            seen.add(key)
            found.append(FoundCode(domain, code, form, underlying, snippet.strip()[:120], pos))

        def is_underlying(start: int) -> bool:
            return bool(_UNDERLYING_RE.search(text[max(0, start - 48) : start]))

        for m in _scan(_ERROR_DOMAIN_RE, text):
            domain = self._canonical(m.group(1))
            add(domain or m.group(1), int(m.group(2)), EXPLICIT, is_underlying(m.start()), m.start(2), m.group(0))

        for m in _scan(_ANY_DOMAIN_RE, text):
            name_start, floor = m.start(), max(0, m.start() - DOMAIN_NAME_MAX)
            while name_start > floor and (text[name_start - 1].isalnum() or text[name_start - 1] in "_."):
                name_start -= 1
            name = text[name_start : m.start()] + "ErrorDomain"
            domain = self._canonical(name) or name
            add(domain, int(m.group(1)), EXPLICIT, is_underlying(name_start), m.start(1), text[name_start : m.end()])

        streams = self.domains.stream_domains
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
            add(stream, int(m.group(1)), STREAM if stream else MARKED, True, m.start(1), m.group(0))
        ssl = streams.get(3)
        for m in _scan(_SSL_ORIGINAL_RE, text):
            add(ssl, int(m.group(1)), STREAM if ssl else MARKED, True, m.start(1), m.group(0))
        for m in _scan(_BRACKET_PAIR_RE, text):
            stream = streams.get(int(m.group(1)))
            if stream is not None:
                add(stream, int(m.group(2)), STREAM, True, m.start(2), m.group(0))

        posix = streams.get(1) or self._canonical("POSIX")
        for regex, check in (
            (_POSIX_BRACKET_RE, False),
            (_POSIX_WORD_RE, True),
            (_POSIX_PAIR_RE, True),
            (_POSIX_STRERR_RE, False),
        ):
            for m in _scan(regex, text):
                if not (check and _glued(text, m.start())):
                    add(posix, int(m.group(1)), EXPLICIT if posix else MARKED, False, m.start(1), m.group(0))
        osstatus = self._canonical("OSStatus")
        for m in _scan(_OSSTATUS_RE, text):
            if not _glued(text, m.start()):
                add(osstatus, int(m.group(1)), EXPLICIT if osstatus else MARKED, False, m.start(1), m.group(0))
        for m in _scan(_NW_ENUM_RE, text):
            domain = _NW_ENUM_DOMAINS[m.group(0).split("(", 1)[0]]
            if domain in self.aliases and not _glued(text, m.start()):
                add(domain, int(m.group(1)), EXPLICIT, False, m.start(1), m.group(0))

        for start, end, alias in self._alias_mentions(text, tokens, lowered):
            after = _SEPARATOR_RE.match(text, end)
            if after is not None:
                snippet = text[start : after.end()]
                add(
                    self._canonical(alias), int(after.group(1)), EXPLICIT, is_underlying(start), after.start(1), snippet
                )

        for m in _scan(_HEX_RE, text):
            if _glued(text, m.start()):
                continue
            value = int(m.group(1), 16)
            if value >= 0x80000000:
                value -= 0x100000000
            if -200_000 <= value <= -1:
                add(None, value, BARE, False, m.start(), m.group(0))
        for m in _scan(_MARKED_RE, text):
            if not _glued(text, m.start()):
                add(None, int(m.group(1)), MARKED, is_underlying(m.start()), m.start(1), m.group(0))
        for m in _scan(_BARE_NEG_RE, text):
            before = text[m.start() - 1] if m.start() else " "
            if not (before.isalnum() or before in "_.:/-"):
                add(None, -int(m.group(1)), BARE, False, m.start(), m.group(0))
        return found


def _log_tokens(lowered: str) -> set[str]:
    """The distinct word tokens of a lowered log.

    translate+split is twice as fast as a regex on ASCII text. str.translate falls off its
    fast path on non-ASCII text (170 ms a megabyte), so such text is split as UTF-8 bytes
    (ASCII punctuation never occurs inside a multi-byte character); the non-ASCII words are
    then split on Unicode punctuation too, unless there is a flood of them (random text).
    """
    if lowered.isascii():
        return set(lowered.translate(_ASCII_PUNCT_TO_SPACE).split())
    raw = set(lowered.encode("utf-8", "surrogatepass").translate(_ASCII_PUNCT_TO_SPACE_BYTES).split())
    words = {w.decode("utf-8", "surrogatepass") for w in raw}
    wide = [w for w in words if not w.isascii()]
    if sum(map(len, wide)) <= NON_ASCII_SCAN:
        words.difference_update(wide)
        words.update(TOKEN_RE.findall(" ".join(wide)))
    return words


def _glued(text: str, start: int) -> bool:
    """True when a match starts inside a word."""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop control characters (keeping tab and newlines) so nothing odd reaches the index."""
    return _CONTROL_RE.sub("", text)


def looks_binary(data: bytes) -> bool:
    """True for content that is not text (NUL bytes, or mostly undecodable)."""
    sample = data[:8192]
    if sample.count(b"\x00") * 100 > len(sample):
        return True  # a stray NUL in a long log is debris; more than 1% means a binary file
    decoded = sample.decode("utf-8", errors="replace")
    return decoded.count("\ufffd") > max(8, len(decoded) // 10)
