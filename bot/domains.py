"""Error-domain knowledge loaded from ``knowledge/domains.toml``.

The extractor is generic: which words name a domain, which CFStream numbers map to which
domain, and how a bare number is resolved all come from this table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.models import SupportBotError


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    aliases: tuple[str, ...]
    context: tuple[str, ...]
    prior: float
    bare: bool
    docs: str = ""


@dataclass(frozen=True, slots=True)
class Equivalence:
    domain: str
    min: int
    max: int
    same_as: str


@dataclass(frozen=True, slots=True)
class DomainTable:
    domains: tuple[Domain, ...]
    stream_domains: dict[int, str]
    equivalences: tuple[Equivalence, ...]

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
    for i, d in enumerate(raw.get("domains", [])):
        where = f"{path}: domains[{i}]"
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
            )
        )
    names = {d.name for d in domains}
    streams: dict[int, str] = {}
    for key, value in raw.get("stream_domains", {}).items():
        try:
            number = int(key)
        except ValueError:
            raise SupportBotError(f"{path}: stream_domains: '{key}' is not a number") from None
        if value not in names:
            raise SupportBotError(f"{path}: stream_domains.{key}: unknown domain '{value}'")
        streams[number] = value
    eqs = []
    for i, e in enumerate(raw.get("equivalences", [])):
        if e.get("domain") not in names or e.get("same_as") not in names:
            raise SupportBotError(f"{path}: equivalences[{i}]: unknown domain")
        eqs.append(Equivalence(e["domain"], int(e["min"]), int(e["max"]), e["same_as"]))
    return DomainTable(tuple(domains), streams, tuple(eqs))
