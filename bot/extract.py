"""Pulling error keys, symbols, crash signatures and words out of pasted text.

Every pattern here is linear: no nested quantifiers, bounded repeats, and the domain-name
alternation is anchored on word boundaries. Domain knowledge (names, aliases, CFStream
numbers) comes from :class:`bot.domains.DomainTable`; which codes exist is decided later by
the index, so this module only reports what the text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.crash import CrashInfo, parse_crash
from bot.domains import DomainTable
from bot.models import Attachment

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


@dataclass
class Extraction:
    codes: list[FoundCode]
    tokens: set[str]  # raw tokens, case kept
    text: str  # the analysed text (message, attachments, crash signatures), cut to the limit
    lowered: str
    crash: CrashInfo | None = None
    notes: list[str] = field(default_factory=list)


_ERROR_DOMAIN_RE = re.compile(r"Error Domain=([A-Za-z_][\w.]{0,80}) Code=(-?\d{1,7})")
_UNDERLYING_RE = re.compile(r"NSUnderlyingError\S{0,4}\s{0,2}(?:0x[0-9a-fA-F]{1,16}\s{0,2})?[{(=\s\"]{0,4}$")
_KEY_SEP = r"[\"'=:\s]{1,4}"
_STREAM_DOMAIN_RE = re.compile(r"_kCFStreamErrorDomainKey" + _KEY_SEP + r"(-?\d{1,3})\b")
_STREAM_CODE_RE = re.compile(r"_kCFStreamErrorCodeKey" + _KEY_SEP + r"(-?\d{1,7})\b")
_SSL_ORIGINAL_RE = re.compile(r"_kCFNetworkCFStreamSSLErrorOriginalValue" + _KEY_SEP + r"(-?\d{1,7})\b")
_BRACKET_PAIR_RE = re.compile(r"\[(-?\d{1,3}):(-?\d{1,7})\]")
_POSIX_BRACKET_RE = re.compile(r"\[(\d{1,3}): ?[A-Z][a-z]")
_POSIX_WORD_RE = re.compile(r"\b(?:POSIX|errno|POSIXErrorCode|posix error)[ :=(#]{0,3}(\d{1,3})\b", re.IGNORECASE)
_POSIX_PAIR_RE = re.compile(r"\berror \d{1,2}:(\d{1,3})\b")
_POSIX_STRERR_RE = re.compile(r": \[(\d{1,3})\] [A-Z][a-z]")
_OSSTATUS_RE = re.compile(r"\b(?:OSStatus|status)(?: error)?[ :=]{0,3}(-\d{1,7})\b", re.IGNORECASE)
_HEX_RE = re.compile(r"\b0x([0-9A-Fa-f]{8})\b")
_NW_ENUM_RE = re.compile(r"\b(posix|dns|tls)\((-?\d{1,7})\)")
# Lower-case "code=1" is too common outside error reports (Mach exception codes) to trust
# unless the number is negative.
_MARKED_RE = re.compile(r"\b(?:Code ?[=:] ?|error code:? ?|[Ee]rror:? |err ?= ?|error\s#|code ?[=:] ?(?=-))(-?\d{1,7})\b")
_BARE_NEG_RE = re.compile(r"(?<![\w.:/\-])-(\d{3,7})(?![\w.])")
_SEPARATOR_RE = re.compile(
    r"[\"']?[^\S\n]{0,3}[:,=(\[]?[^\S\n]{0,3}"
    r"(?:(?:error|Error|code|Code|err|status)[^\S\n]{0,2}[:=#]?[^\S\n]{0,3})?"
    r"(?:Code[^\S\n]{0,2}=[^\S\n]{0,2})?(-?\d{1,7})\b"
)
_NW_ENUM_DOMAINS = {"posix": "NSPOSIXErrorDomain", "dns": "kNWErrorDomainDNS", "tls": "NSOSStatusErrorDomain"}


class Extractor:
    """Reads messages; built once per :class:`DomainTable` and reused across requests."""

    def __init__(self, domains: DomainTable, max_chars: int = 2_000_000) -> None:
        self.domains = domains
        self.max_chars = max_chars
        self.aliases = domains.alias_map()
        names = sorted(self.aliases, key=len, reverse=True)
        self._alias_re = (
            re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])") if names else None
        )

    def _canonical(self, name: str) -> str | None:
        return self.aliases.get(name)

    def prepare(self, text: str, attachments: tuple[Attachment, ...] = ()) -> tuple[str, list[str], CrashInfo | None]:
        """Join message and attachments, clean control characters, cut to the limit."""
        notes: list[str] = []
        parts = [text]
        crash: CrashInfo | None = None
        for att in attachments:
            body = att.text
            info = parse_crash(body)
            if info is not None and crash is None:
                crash = info
            parts.append(body)
        if crash is None:
            crash = parse_crash(text)
        if crash is not None:
            parts.append(crash.summary_line())
        joined = "\n".join(p for p in parts if p)
        cleaned = clean_text(joined)
        if len(cleaned) != len(joined):
            notes.append("control characters were removed from the input")
        if len(cleaned) > self.max_chars:
            notes.append(f"input cut to the first {self.max_chars:,} characters of {len(cleaned):,}")
            cleaned = cleaned[: self.max_chars]
        return cleaned, notes, crash

    def extract(self, text: str, attachments: tuple[Attachment, ...] = ()) -> Extraction:
        """Find every error code, token and crash signature in a message and its attachments."""
        analysed, notes, crash = self.prepare(text, attachments)
        codes = self.find_codes(analysed)
        tokens = set(re.findall(r"[A-Za-z_][\w.]{0,120}|\w+", analysed))
        # "URLError.Code.timedOut" should also count as its parts.
        tokens |= {p for t in tokens if "." in t for p in t.split(".") if p}
        return Extraction(codes, tokens, analysed, analysed.lower(), crash, notes)

    def find_codes(self, text: str) -> list[FoundCode]:
        found: list[FoundCode] = []
        taken: set[int] = set()  # start offsets of numbers already read

        def add(domain: str | None, code: int, form: str, underlying: bool, pos: int, snippet: str) -> None:
            if pos in taken:
                return
            taken.add(pos)
            found.append(FoundCode(domain, code, form, underlying, snippet.strip()[:120]))

        def is_underlying(start: int) -> bool:
            return bool(_UNDERLYING_RE.search(text[max(0, start - 48) : start]))

        for m in _ERROR_DOMAIN_RE.finditer(text):
            domain = self._canonical(m.group(1))
            name = domain or m.group(1)
            add(name, int(m.group(2)), EXPLICIT, is_underlying(m.start()), m.start(2), m.group(0))

        streams = self.domains.stream_domains
        stream_domains = [(m.start(), int(m.group(1))) for m in _STREAM_DOMAIN_RE.finditer(text)]
        for m in _STREAM_CODE_RE.finditer(text):
            near = [(abs(pos - m.start()), num) for pos, num in stream_domains if abs(pos - m.start()) < 600]
            domain = streams.get(min(near)[1]) if near else None
            add(domain, int(m.group(1)), STREAM if domain else MARKED, True, m.start(1), m.group(0))
        ssl = streams.get(3)
        for m in _SSL_ORIGINAL_RE.finditer(text):
            add(ssl, int(m.group(1)), STREAM if ssl else MARKED, True, m.start(1), m.group(0))
        for m in _BRACKET_PAIR_RE.finditer(text):
            domain = streams.get(int(m.group(1)))
            if domain is not None:
                add(domain, int(m.group(2)), STREAM, True, m.start(2), m.group(0))

        posix = streams.get(1) or self._canonical("POSIX")
        for regex in (_POSIX_BRACKET_RE, _POSIX_WORD_RE, _POSIX_PAIR_RE, _POSIX_STRERR_RE):
            for m in regex.finditer(text):
                add(posix, int(m.group(1)), EXPLICIT if posix else MARKED, False, m.start(1), m.group(0))
        osstatus = self._canonical("OSStatus")
        for m in _OSSTATUS_RE.finditer(text):
            add(osstatus, int(m.group(1)), EXPLICIT if osstatus else MARKED, False, m.start(1), m.group(0))
        for m in _NW_ENUM_RE.finditer(text):
            domain = _NW_ENUM_DOMAINS[m.group(1)]
            if domain in self.aliases:
                add(domain, int(m.group(2)), EXPLICIT, False, m.start(2), m.group(0))

        if self._alias_re is not None:
            for m in self._alias_re.finditer(text):
                after = _SEPARATOR_RE.match(text, m.end())
                if after is not None:
                    domain = self._canonical(m.group(1))
                    add(domain, int(after.group(1)), EXPLICIT, is_underlying(m.start()), after.start(1), text[m.start() : after.end()])

        for m in _HEX_RE.finditer(text):
            value = int(m.group(1), 16)
            if value >= 0x80000000:
                value -= 0x100000000
            if -200_000 <= value <= -1:
                add(None, value, BARE, False, m.start(), m.group(0))
        for m in _MARKED_RE.finditer(text):
            add(None, int(m.group(1)), MARKED, is_underlying(m.start()), m.start(1), m.group(0))
        for m in _BARE_NEG_RE.finditer(text):
            add(None, -int(m.group(1)), BARE, False, m.start(), m.group(0))
        return found


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop control characters (keeping tab and newlines) so nothing odd reaches the index."""
    return _CONTROL_RE.sub("", text)


def looks_binary(data: bytes) -> bool:
    """True for content that is not text (NUL bytes, or mostly undecodable)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    decoded = sample.decode("utf-8", errors="replace")
    return decoded.count("\ufffd") > max(8, len(decoded) // 10)
