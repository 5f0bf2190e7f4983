"""Error codes found in a message -> the entries whose keys they are, with evidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.codescan import BARE, EXPLICIT, MARKED, STREAM, FoundCode
from bot.evidence import Evidence
from bot.extract import Extraction
from bot.index import Index, Pattern
from bot.literal import find
from bot.models import Entry
from bot.platform import OurPlatform

# Strength of a key match by how the code was found (noisy-OR inputs, see bot.rank).
KEY_STRENGTH = {EXPLICIT: 0.97, STREAM: 0.93, MARKED: 0.85, BARE: 0.9}
UNDERLYING_FACTOR = 0.93
RELATED_FACTOR = 0.3
SMALL_CODE = 600  # codes below this in size are errno values and HTTP statuses on every platform


def resolve(index: Index, found: FoundCode, ex: Extraction) -> list[tuple[tuple[str, int], float]]:
    """The keys a found code may mean, with weights; ambiguity is kept, not guessed away."""
    if found.domain is not None:
        key = index.canonical_key(found.domain, found.code)
        return [(key, 1.0)] if key in index.key_entries else []
    if found.code == 0:
        return []  # "Code=0" is success in every domain
    candidates: dict[tuple[str, int], float] = {}
    for domain in index.domains_by_code.get(found.code, ()):
        info = index.domain_info.get(domain)
        if info is None:
            continue
        hinted = _has_context(info.context, ex)
        if found.form == BARE and not info.bare and not hinted:
            continue
        key = index.canonical_key(domain, found.code)
        weight = info.prior * (3.0 if hinted else 1.0)
        candidates[key] = max(candidates.get(key, 0.0), weight)
    total = sum(candidates.values())
    if not total:
        return []
    ranked = sorted(((k, w / total) for k, w in candidates.items()), key=lambda kw: -kw[1])
    return [(k, w) for k, w in ranked if w >= 0.15][:4]


def _has_context(words: tuple[str, ...], ex: Extraction) -> bool:
    head = ex.lowered[:20_000]
    for w in words:
        if (" " in w or "-" in w) and w in head:
            return True
        if w in ex.lowered_tokens:
            return True
    return False


@dataclass
class CodeFindings:
    """What the error codes of a message said, besides the evidence they added."""

    unknown: list[FoundCode] = field(default_factory=list)
    foreign: list[FoundCode] = field(default_factory=list)
    known: int = 0
    primary: list[list[int]] = field(default_factory=list)  # per found code: entries whose own key it is
    keys: dict[int, tuple[str, int]] = field(default_factory=dict)  # entry -> first key of its own found
    quoted: set[int] = field(default_factory=set)  # entries whose own code came in a form other than a bare number

    def nested(self, ex: Extraction) -> set[tuple[int, int]]:
        """(outer entry, cause entry): one answers an error, the other a code nested in it."""
        return {
            (o, u) for outer, inner in ex.nested for o in self.primary[outer] for u in self.primary[inner] if o != u
        }


def code_evidence(index: Index, ex: Extraction, evidence: dict[int, Evidence], ours: OurPlatform) -> CodeFindings:
    """Evidence from every error code in the message, and what the codes said besides."""
    out = CodeFindings()
    for found in ex.codes:
        # "Error 111" with no domain named is as likely Linux's errno or an HTTP status as one of
        # ours: it identifies an entry only when something in the message says it is Apple's.
        plain = found.domain is None and abs(found.code) < SMALL_CODE
        keys = resolve(index, found, ex)
        own: list[int] = []
        out.primary.append(own)
        if not keys:
            if found.domain is not None and found.domain not in index.domain_info:
                out.foreign.append(found)
            elif (found.form != MARKED or found.domain is not None) and found.code != 0:
                out.unknown.append(found)
            continue
        out.known += 1
        ambiguous = len(keys) > 1
        for key, weight in keys:
            base = KEY_STRENGTH[found.form] * (UNDERLYING_FACTOR if found.underlying else 1.0)
            for i, role in index.key_entries[key]:
                strength = base * weight * (RELATED_FACTOR if role == "related" else 1.0)
                label = "underlying error" if found.underlying else "error"
                how = f", one of {len(keys)} readings" if ambiguous else ""
                strong = role != "related" and ours.backs(i, plain)
                evidence[i].add(strength, f"{label} {key[0]} {key[1]} from '{found.text}'{how}", strong)
                if role != "related":
                    own.append(i)
                    out.keys.setdefault(i, key)
                    if found.form != BARE:
                        out.quoted.add(i)
    return out


def layered(
    index: Index, ex: Extraction, codes: CodeFindings, found: list[int], patterns: Mapping[int, list[Pattern]]
) -> set[tuple[int, int]]:
    """(outer, cause) among errors the message backs by more than words, by the knowledge base's own
    relation and the domains' layering (``wraps`` in domains.toml), for pastes that do not show which
    code is inside which ("_kCFStreamErrorCodeKey=-9806 together with -1200" is a -1200 because of
    -9806). Entries that do not claim each other's codes are never paired, and the cause's code must
    stand on a line where the outer error is found too: two failures pasted one after the other stay
    two answers."""
    out = set()
    for o in found:
        outer = index.entries[o]
        wraps = {w for err in outer.primary if (d := index.domain_info.get(err.domain)) for w in d.wraps}
        for u in found:
            cause = index.entries[u]
            if u == o or not any(err.domain in wraps for err in cause.primary):
                continue
            related = _claims(outer, cause) or _claims(cause, outer)
            if related and _on_one_line(ex, codes, o, u, patterns.get(o, ())):
                out.add((o, u))
    return out


def _on_one_line(ex: Extraction, codes: CodeFindings, outer: int, cause: int, patterns: Iterable[Pattern]) -> bool:
    """Whether a code of ``cause`` stands on a line with a code or a pattern of ``outer``."""
    outer_at = [ex.codes[j].pos for j, there in enumerate(codes.primary) if outer in there]
    for k, own in enumerate(codes.primary):
        pos = ex.codes[k].pos
        if cause not in own or pos < 0:
            continue
        start = ex.text.rfind("\n", 0, pos) + 1
        end = ex.text.find("\n", pos)
        end = len(ex.text) if end == -1 else end
        if any(start <= p < end for p in outer_at):
            return True
        if any(find(ex.lowered, pat.groups[0][0], start, end) != -1 for pat in patterns):
            return True
    return False


def _claims(entry: Entry, other: Entry) -> bool:
    """Whether ``entry`` names one of ``other``'s own codes as related."""
    return any(entry.claims(err.key) for err in other.primary)
