"""Pulling error keys, symbols, crash signatures and words out of pasted text.

Every pattern here is linear: no nested unbounded repeats (a test checks the parsed
patterns), and domain names are found through the token set, not a big alternation. Domain knowledge (names, aliases, CFStream
numbers) comes from :class:`bot.domains.DomainTable`; which codes exist is decided later by
the index, so this module only reports what the text says.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.codescan import CodeScan, FoundCode, nesting
from bot.crash import CrashInfo, parse_crash
from bot.domains import DomainTable
from bot.fold import fold_repeats
from bot.literal import find
from bot.models import Attachment
from bot.text import ASCII_NON_WORD, TOKEN_RE, ascii_holds_any, has_cjk, tokens


@dataclass
class Extraction:
    codes: list[FoundCode]
    token_counts: Counter[str]  # raw word tokens (case kept) and how often they occur; empty for a pasted log
    tokens: set[str]  # raw tokens plus dotted names such as URLError.Code.timedOut
    lowered_tokens: set[str]
    text: str  # the analysed text (message, attachments, crash signatures), cut to the limit
    lowered: str
    crash: CrashInfo | None = None
    notes: list[str] = field(default_factory=list)
    source_chars: int = 0  # length before repeats were folded out of a pasted log
    platform: bool = False  # names an Apple platform, tool or error domain (DomainTable.platform)
    foreign: bool = False  # names another runtime or OS stack (DomainTable.foreign)
    server: bool = False  # names a web server, proxy or server system (DomainTable.servers)
    from_user: bool = False  # reads as an end user's question about an OS feature (see _from_user)

    @property
    def nested(self) -> list[tuple[int, int]]:
        """(outer, underlying) index pairs into ``codes``: which code was nested in which."""
        return nesting(self.codes)

    @property
    def pasted_log(self) -> bool:
        """Large input: tokens are lowercased and counted once, and costly scans are skipped."""
        return max(len(self.text), self.source_chars) > BIG_TEXT


# Possessive: giving back part of a \w run leaves a word character where a dot must follow, so
# backtracking can never find another match; it only cost time on every word of a question.
_DOTTED_RE = re.compile(r"[A-Za-z_]\w{0,60}+(?:\.\w{1,60}+){1,4}+")
# A dotted name needs a dot with a word character after it: most questions have none.
_DOT_WORD_RE = re.compile(r"\.\w")
DOTTED_SCAN = 50_000  # dotted names (URLError.Code.timedOut) are looked for in this much text
# For pasted logs, translate+split tokenizes about twice as fast as a \w+ regex; it differs
# only on non-ASCII punctuation, which no index term contains.
NON_ASCII_SCAN = 100_000  # characters of non-ASCII words in a log split on Unicode punctuation
BIG_TEXT = 100_000  # above this, a message is treated as a pasted log
# An API name: a hump in camel case (NWConnection's "WCo", readDatagrams' "sD") in 8 or more characters;
# shorter ones are as often product names people type (iCloud, AirDrop, MacBook).
_CAMEL_RE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
CAMEL_MIN = 8


class Extractor:
    """Reads messages; built once per :class:`DomainTable` and reused across requests."""

    def __init__(self, domains: DomainTable, max_chars: int = 2_000_000) -> None:
        self.domains = domains
        self.max_chars = max_chars
        self.aliases = domains.alias_map()
        # Plain aliases are found through the token set; dotted ones ("NWError.dns") by search.
        self._plain_aliases = frozenset(a for a in self.aliases if TOKEN_RE.fullmatch(a))
        # In the table's own order, not the frozenset's: that one changes with the hash seed, and with
        # it which of two domains a code is read with.
        self._plain_lowered = tuple((a, a.lower()) for a in self.aliases if a in self._plain_aliases)
        self._dotted_aliases = tuple(a for a in self.aliases if a not in self._plain_aliases)
        # The plain aliases by lowercase, each with its place in _plain_lowered: a message is checked
        # for its few dozen words, not for every alias, and mentions keep _plain_lowered's order.
        by_lower: dict[str, list[tuple[int, str]]] = {}
        for rank, (alias, low) in enumerate(self._plain_lowered):
            by_lower.setdefault(low, []).append((rank, alias))
        self._by_lower = {low: tuple(found) for low, found in by_lower.items()}
        # Every dotted alias holds a dot before a word character, so a text without one names none.
        self._dotted_need_dot = all(_DOT_WORD_RE.search(a) for a in self._dotted_aliases)
        # Aliases that say "Apple" as well as naming a domain ("NSURLErrorDomain", not "errno").
        self._platform_aliases = frozenset(a for a in self._plain_aliases if a.lower() not in domains.generic_aliases)

    def canonical(self, name: str) -> str | None:
        """The canonical name of a domain alias, or None."""
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
        joined = parts[0] if len(parts) == 1 else "\n".join([p for p in parts if p])
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
        source_chars = (len(text) + sum([len(a.text) for a in attachments])) if attachments else len(text)
        lowered = analysed.lower()
        if max(len(analysed), source_chars) <= BIG_TEXT:  # the test of Extraction.pasted_log
            counts = Counter(tokens(analysed))
            words = set(counts)
            words.update(dotted_names(analysed[:DOTTED_SCAN]))
            lowered_tokens = set(map(str.lower, words))
        else:
            # A pasted log: one pass over the lowered text; every token counts once, so none is
            # counted (the ranking reads lowered_tokens). Case only matters for domain names,
            # which _alias_mentions re-checks against the text.
            lowered_tokens = _log_tokens(lowered)
            counts = Counter()
            words = lowered_tokens
        codes = self.find_codes(analysed, words, lowered_tokens)
        platform = not self.domains.platform.isdisjoint(lowered_tokens) or not self._platform_aliases.isdisjoint(words)
        foreign = not self.domains.foreign.isdisjoint(lowered_tokens)
        server = not self.domains.servers.isdisjoint(lowered_tokens)
        from_user = bool(counts) and not codes and self._from_user(analysed, lowered, words, lowered_tokens)
        return Extraction(
            codes,
            counts,
            words,
            lowered_tokens,
            analysed,
            lowered,
            crash,
            notes,
            source_chars,
            platform,
            foreign,
            server,
            from_user,
        )

    def _from_user(self, text: str, lowered: str, words: set[str], lowered_tokens: set[str]) -> bool:
        """Whether a message (no log, no error code) names an OS feature that end users switch and
        ask about (domains.toml ``user_features``: "private relay", "captive") and nothing that says
        its writer builds software: no ``builder`` word ("app", "api", "debug"), no dotted, camel-case
        (of 8 characters or more) or snake-case name (``URLCache.shared``, ``NWConnection``, ``nw_path``).
        A message in a CJK script is never judged so: the builder words are English, and such a message
        is mostly a pasted error. The set lookups go first: most questions have a builder word."""
        features = self.domains.user_features
        if not features or not self.domains.builder.isdisjoint(lowered_tokens):
            return False
        folded = " ".join(lowered.split())  # a feature's words wrapped over two lines still count
        if not any(find(folded, feature) != -1 for feature in features) or has_cjk(text):
            return False
        # Not bot.platform.api_names: it weighs names of other frameworks and counts only a lower-upper
        # hump, so it misses acronym-led names (NWConnection, URLCache) that say a developer wrote this.
        return not any("." in w or "_" in w or (len(w) >= CAMEL_MIN and _CAMEL_RE.search(w)) for w in words)

    def alias_mentions(self, text: str, tokens: set[str], lowered: set[str]) -> list[tuple[int, int, str]]:
        """(start, end, alias) for every domain name in the text, found without a big regex.

        ``lowered`` holds the lowercase of every one of ``tokens``.
        """
        table = self._by_lower
        # ``lowered`` holds the lowercase of every token, so an alias among the tokens is found
        # through its lowercase; one in another case must occur in the text as written.
        # filter() with a bound __contains__ loops in C: the same keys in the same order.
        if len(lowered) < len(table):
            keys = list(filter(table.__contains__, lowered))
        else:
            keys = list(filter(lowered.__contains__, table))
        found = sorted(ra for low in keys for ra in table[low] if ra[1] in tokens or ra[1] in text)
        present = [a for _, a in found]
        if not self._dotted_need_dot or _DOT_WORD_RE.search(text) is not None:
            present += [a for a in self._dotted_aliases if a in text]
        return bounded_occurrences(text, present)

    def find_codes(self, text: str, tokens: set[str] | None = None, lowered: set[str] | None = None) -> list[FoundCode]:
        """Every error code in ``text``, with its domain where the text names one."""
        if tokens is None:
            tokens = set(TOKEN_RE.findall(text))
        if lowered is None:
            lowered = {t.lower() for t in tokens}
        return CodeScan(text, self).run(tokens, lowered)


def bounded_occurrences(text: str, names: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, name) for every occurrence of each of ``names`` in ``text`` that stands alone:
    no letter, digit or ``_`` on either side, and no ``.`` before it."""
    out = []
    for name in names:
        pos = text.find(name)
        while pos != -1:
            end = pos + len(name)
            before = text[pos - 1] if pos else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_"):
                out.append((pos, end, name))
            pos = text.find(name, end)
    return out


def dotted_names(text: str) -> list[str]:
    """``_DOTTED_RE.findall(text)``, read only in the whitespace-separated chunks that hold a dot.

    The regex starts a failing attempt at every letter of every word (each running to the word's
    end): 35 ns a character. A match holds only word characters and dots, and no whitespace
    character is either (a test checks them all), so it lies inside one chunk, and chunks joined
    by spaces give the same matches in the same order.
    """
    if _DOT_WORD_RE.search(text) is None:
        return []
    return _DOTTED_RE.findall(" ".join([chunk for chunk in text.split() if "." in chunk]))


def _log_tokens(lowered: str) -> set[str]:
    """The distinct word tokens of a lowered log.

    ASCII text goes through :func:`bot.text.tokens`. Other text is split as UTF-8 bytes on the
    same table (str.translate falls off its fast path on non-ASCII text: 170 ms a megabyte); the
    non-ASCII words are then split on Unicode punctuation too, unless there is a flood of them
    (random text).
    """
    if lowered.isascii():
        return set(tokens(lowered))
    raw = set(lowered.encode("utf-8", "surrogatepass").translate(ASCII_NON_WORD).split())
    words = {w.decode("utf-8", "surrogatepass") for w in raw}
    wide = [w for w in words if not w.isascii()]
    if sum(map(len, wide)) <= NON_ASCII_SCAN:
        words.difference_update(wide)
        words.update(TOKEN_RE.findall(" ".join(wide)))
    return words


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_CONTROL_BYTES = bytes(c for c in range(128) if _CONTROL_RE.match(chr(c)))


def clean_text(text: str) -> str:
    """Drop control characters (keeping tab and newlines) so nothing odd reaches the index."""
    # Most text is ASCII without any: shown in C, 4 times faster than the regex can look.
    if text.isascii() and not ascii_holds_any(text, _CONTROL_BYTES):
        return text
    return _CONTROL_RE.sub("", text)


def looks_binary(data: bytes) -> bool:
    """True for content that is not text (NUL bytes, or mostly undecodable)."""
    sample = data[:8192]
    if sample.count(b"\x00") * 100 > len(sample):
        return True  # a stray NUL in a long log is debris; more than 1% means a binary file
    decoded = sample.decode("utf-8", errors="replace")
    return decoded.count("\ufffd") > max(8, len(decoded) // 10)
