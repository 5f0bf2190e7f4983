"""Checks on the knowledge base beyond the file schema: links, claims, domains, form."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.domains import DomainTable
from bot.knowledge.errors import KnowledgeError
from bot.knowledge.tree import read_knowledge, render_tree
from bot.models import Entry
from bot.urls import find_links, normalise_host, url_problem


def check_entries(
    entries: Iterable[Entry], domains: DomainTable, hosts: frozenset[str], where: Mapping[str, str] | None = None
) -> list[str]:
    """Problems across a set of entries, each as ``location: message``; ``where`` maps an entry
    id to the ``file:line`` it came from (entries without one are named by id)."""
    where = where or {}
    entries = list(entries)
    ids = {e.id for e in entries}
    known_domains = {d.name for d in domains.domains}
    hosts = _normalised(hosts)
    problems: list[str] = []
    claims: dict[tuple[str, int], list[str]] = defaultdict(list)
    for e in entries:
        loc = str(where.get(e.id, e.id))
        problems += [f"{loc}: {e.id}: {p}" for p in _entry_problems(e, ids, known_domains, hosts)]
        for err in e.errors:
            if e.curated and err.role == "primary":
                claims[err.key].append(e.id)
    return problems + _claim_problems(claims, where)


def _entry_problems(e: Entry, ids: set[str], known_domains: set[str], hosts: frozenset[str]) -> list[str]:
    """What is wrong with one entry on its own (its links, domains, related ids, patterns)."""
    out = [] if e.summary.strip() else ["summary is empty"]
    out += [f"link '{link.title}': {p}" for link in e.links if (p := url_problem(link.url, hosts))]
    # Links written inside the text reach chat as Markdown too, so they obey the same rules.
    out += [f"link in the text: {p}" for url in find_links(e.summary + "\n" + e.body) if (p := url_problem(url, hosts))]
    if known_domains:
        out += [
            f"error domain '{err.domain}' is not in domains.toml" for err in e.errors if err.domain not in known_domains
        ]
    out += [f"related entry '{other}' does not exist" for other in e.related if other not in ids]
    for pattern in e.patterns:
        pieces = [p.strip() for g in pattern.split("&&") for p in g.split("*")]
        if any(len(p) < 3 for p in pieces if p) or not any(pieces):
            out.append(f"pattern '{pattern}' has a piece shorter than 3 characters")
    return out


def _claim_problems(claims: Mapping[tuple[str, int], list[str]], where: Mapping[str, str]) -> list[str]:
    """One problem per error key that more than one curated entry claims as primary."""
    out = []
    for (domain, code), owners in sorted(claims.items()):
        if len(owners) > 1:
            owners = sorted(owners)
            named = ", ".join(f"{o} ({where[o]})" if o in where else o for o in owners)
            out.append(
                f"{where.get(owners[0], owners[0])}: {domain} {code} is claimed by {named}: "
                'mark all but one of them role = "related"'
            )
    return out


def check_url(url: str, hosts: frozenset[str]) -> str | None:
    """Why a link URL is not acceptable, or None (the rules are in :mod:`bot.urls`)."""
    return url_problem(url, _normalised(hosts))


def _normalised(hosts: frozenset[str]) -> frozenset[str]:
    return frozenset(normalise_host(h) or h for h in hosts)


def lint_tree(root: Path) -> list[str]:
    """Every problem in a knowledge directory: schema, links, claims, canonical form."""
    try:
        ks = read_knowledge(root)
    except KnowledgeError as exc:
        return exc.problems
    problems = check_entries(ks.entries, ks.domains, ks.hosts, ks.files)
    for rel, text in render_tree(ks.entries).items():
        path = root / rel
        if path.read_bytes() != text.encode("utf-8"):
            problems.append(f"{path}:1: not in canonical form; run 'supportbot kb fmt' to rewrite it")
    return problems
