"""Error-domain knowledge loaded from ``knowledge/domains.toml``.

The extractor is generic: which words name a domain, which CFStream numbers map to which
domain, and how a bare number is resolved all come from this table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.literal import IDENTIFIER, Piece, bounded
from bot.models import SupportBotError


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    aliases: tuple[str, ...]
    context: tuple[str, ...]
    prior: float
    bare: bool
    docs: str = ""
    # Its messages read the same on every operating system (POSIX strerror texts): quoting one says
    # nothing about Apple's platforms by itself.
    shared_text: bool = False
    # Domains whose errors this domain's errors wrap (a URL load fails *because of* a TLS or socket
    # error): the direction of "outer because cause" when a paste does not show the nesting.
    wraps: tuple[str, ...] = ()
    # Inclusive code ranges that many subsystems return (errno's EPERM, the keychain's
    # errSecItemNotFound, OSStatus -50): naming one says nothing about networking by itself.
    general: tuple[tuple[int, int], ...] = ()

    def is_general(self, code: int) -> bool:
        """Whether ``code`` is one that many subsystems return (see ``general``)."""
        return any(lo <= code <= hi for lo, hi in self.general)


@dataclass(frozen=True, slots=True)
class Equivalence:
    domain: str
    min: int
    max: int
    same_as: str


# A subject word this long also counts inside a longer word (see domains.toml, subject).
SUBJECT_STEM_MIN = 5


@dataclass(frozen=True, slots=True)
class DomainTable:
    domains: tuple[Domain, ...]
    stream_domains: dict[int, str]
    equivalences: tuple[Equivalence, ...]
    # Lowercase words that say a message is about Apple's platforms (see domains.toml).
    platform: frozenset[str] = frozenset()
    # Lowercase texts of patterns and phrases that other platforms print too (OpenSSL's messages).
    shared_messages: frozenset[str] = frozenset()
    # Lowercase domain aliases every platform uses ("errno", "POSIX", "tls"): they still name the
    # domain of a code, but do not say by themselves that a message is about Apple's platforms.
    generic_aliases: frozenset[str] = frozenset()
    # Lowercase words naming another runtime or OS stack (python3, okhttp, kubectl): a message every
    # platform prints, next to one of them, is that runtime's even on a Mac (see domains.toml).
    foreign: frozenset[str] = frozenset()
    # Lowercase names of web servers and proxies (nginx, haproxy) and server systems (ubuntu): a question
    # naming one that only words tie to an entry asks about that server more likely than about the app.
    servers: frozenset[str] = frozenset()
    # Lowercase words and stems that say a message is about networking (see domains.toml, subject).
    subject: frozenset[str] = frozenset()
    # Lowercase words that say the writer builds software ("app", "api", "debug"), and the features of
    # the OS that end users switch and ask about as users ("private relay", found on word boundaries):
    # a question naming a feature and none of those words is likely a user's.
    builder: frozenset[str] = frozenset()
    user_features: tuple[Piece, ...] = ()
    # The subject words that also count inside a longer word ("socket" in gcdasyncsocket), made once.
    _stems: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        # A word with a space never stands inside one token (and must not match across two).
        stems = sorted(w for w in self.subject if len(w) >= SUBJECT_STEM_MIN and " " not in w)
        object.__setattr__(self, "_stems", tuple(stems))

    def about_subject(self, lowered_tokens: set[str]) -> bool:
        """Whether a message with these lowercase tokens says it is about networking (``subject``)."""
        if not self.subject.isdisjoint(lowered_tokens):
            return True
        # A stem has no space, so it is inside a token exactly when it is inside the tokens joined by
        # spaces: a few dozen scans in C, not one per token and stem (a 100k-character message).
        joined = " ".join(lowered_tokens)
        return any(stem in joined for stem in self._stems)

    def by_name(self) -> dict[str, Domain]:
        return {d.name: d for d in self.domains}

    def alias_map(self) -> dict[str, str]:
        """Every spelling (canonical name included) to its canonical domain."""
        out: dict[str, str] = {}
        for d in self.domains:
            out[d.name] = d.name
            for alias in d.aliases:
                out.setdefault(alias, d.name)
        return out

    def equivalent(self, domain: str, code: int) -> str | None:
        """The domain whose code means the same as ``(domain, code)``, if one is declared."""
        for eq in self.equivalences:
            if eq.domain == domain and eq.min <= code <= eq.max:
                return eq.same_as
        return None


EMPTY = DomainTable((), {}, ())


def load_domains(path: Path) -> DomainTable:
    """Read and check ``domains.toml``; errors name the file and what is wrong."""
    if not path.exists():
        return EMPTY
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SupportBotError(f"{path}: {exc}") from exc
    domains = []
    for i, d in enumerate(_list(raw, "domains", path)):
        where = f"{path}: domains[{i}]"
        if not isinstance(d, dict):
            raise SupportBotError(f"{where}: must be a table ([[domains]]), not {type(d).__name__}")
        if not isinstance(d.get("name"), str) or not d["name"]:
            raise SupportBotError(f"{where}: 'name' must be a non-empty string")
        prior = d.get("prior", 0.5)
        if not isinstance(prior, (int, float)) or not 0 <= prior <= 1:
            raise SupportBotError(f"{where} ({d['name']}): 'prior' must be a number from 0 to 1")
        domains.append(
            Domain(
                name=d["name"],
                aliases=tuple(str(a) for a in d.get("aliases", [])),
                context=tuple(str(c).lower() for c in d.get("context", [])),
                prior=float(prior),
                bare=bool(d.get("bare", False)),
                docs=str(d.get("docs", "")),
                shared_text=bool(d.get("shared_text", False)),
                wraps=tuple(str(w) for w in d.get("wraps", [])),
                general=_ranges(d.get("general", []), f"{where} ({d['name']}): 'general'"),
            )
        )
    names = {d.name for d in domains}
    for d in domains:
        unknown = [w for w in d.wraps if w not in names]
        if unknown:
            raise SupportBotError(f"{path}: {d.name}: wraps unknown domain '{unknown[0]}'")
    streams = _stream_domains(raw, path, names)
    eqs = [_equivalence(e, f"{path}: equivalences[{i}]", names) for i, e in enumerate(_list(raw, "equivalences", path))]
    platform = _texts(raw, "platform", path, "a list of words")
    shared = _texts(raw, "shared_messages", path, "a list of texts")
    generic = _texts(raw, "generic_aliases", path, "a list of domain aliases")
    aliases = {a.lower() for d in domains for a in (d.name, *d.aliases)}
    if generic - aliases:
        raise SupportBotError(f"{path}: generic_aliases: '{sorted(generic - aliases)[0]}' is no domain's alias")
    foreign = _texts(raw, "foreign", path, "a list of words")
    subject = _texts(raw, "subject", path, "a list of words")
    servers = _texts(raw, "servers", path, "a list of words")
    builder = _texts(raw, "builder", path, "a list of words")
    features = tuple(
        bounded(f, IDENTIFIER, IDENTIFIER) for f in sorted(_texts(raw, "user_features", path, "a list of texts"))
    )
    return DomainTable(
        tuple(domains), streams, tuple(eqs), platform, shared, generic, foreign, servers, subject, builder, features
    )


def _stream_domains(raw: dict[str, Any], path: Path, names: set[str]) -> dict[int, str]:
    """The ``stream_domains`` table: CFStream domain number -> one of ``names``."""
    streams: dict[int, str] = {}
    stream_table = raw.get("stream_domains", {})
    if not isinstance(stream_table, dict):
        raise SupportBotError(f"{path}: stream_domains must be a table of number = domain")
    for key, value in stream_table.items():
        try:
            number = int(key)
        except ValueError:
            raise SupportBotError(f"{path}: stream_domains: '{key}' is not a number") from None
        if value not in names:
            raise SupportBotError(f"{path}: stream_domains.{key}: unknown domain '{value}'")
        streams[number] = value
    return streams


def _ranges(value: Any, where: str) -> tuple[tuple[int, int], ...]:
    """A list of inclusive ``[low, high]`` whole-number pairs."""
    ranges = []
    for pair in value if isinstance(value, list) else [value]:
        ok = isinstance(pair, list) and len(pair) == 2
        if not ok or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair) or pair[0] > pair[1]:
            raise SupportBotError(f"{where} must be a list of [low, high] code ranges, low <= high (got {pair!r})")
        ranges.append((pair[0], pair[1]))
    return tuple(ranges)


def _texts(raw: dict[str, Any], key: str, path: Path, what: str) -> frozenset[str]:
    """A top-level list of non-empty strings, lowercased with single spaces."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise SupportBotError(f"{path}: {key} must be {what}")
    return frozenset(" ".join(w.lower().split()) for w in value)


def _list(raw: dict[str, Any], key: str, path: Path) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise SupportBotError(f"{path}: {key} must be an array of tables ([[{key}]])")
    return value


def _equivalence(e: Any, where: str, names: set[str]) -> Equivalence:
    if not isinstance(e, dict):
        raise SupportBotError(f"{where}: must be a table ([[equivalences]]), not {type(e).__name__}")
    missing = [k for k in ("domain", "min", "max", "same_as") if k not in e]
    if missing:
        raise SupportBotError(f"{where}: missing {', '.join(missing)}")
    for key in ("domain", "same_as"):
        if e[key] not in names:
            raise SupportBotError(f"{where}: {key}: unknown domain '{e[key]}'")
    if not all(isinstance(e[k], int) and not isinstance(e[k], bool) for k in ("min", "max")):
        raise SupportBotError(f"{where}: min and max must be whole numbers")
    return Equivalence(e["domain"], e["min"], e["max"], e["same_as"])
