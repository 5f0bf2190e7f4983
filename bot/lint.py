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
        if not e.summary.strip():
            problems.append(f"{loc}: {e.id}: summary is empty")
        for link in e.links:
            problem = url_problem(link.url, hosts)
            if problem:
                problems.append(f"{loc}: {e.id}: link '{link.title}': {problem}")
        # Links written inside the text reach chat as Markdown too, so they obey the same rules.
        for url in find_links(e.summary + "\n" + e.body):
            problem = url_problem(url, hosts)
            if problem:
                problems.append(f"{loc}: {e.id}: link in the text: {problem}")
        for err in e.errors:
            if known_domains and err.domain not in known_domains:
                problems.append(f"{loc}: {e.id}: error domain '{err.domain}' is not in domains.toml")
            if e.curated and err.role == "primary":
                claims[err.key].append(e.id)
        for other in e.related:
            if other not in ids:
                problems.append(f"{loc}: {e.id}: related entry '{other}' does not exist")
        for pattern in e.patterns:
            pieces = [p.strip() for g in pattern.split("&&") for p in g.split("*")]
            if any(len(p) < 3 for p in pieces if p) or not any(pieces):
                problems.append(f"{loc}: {e.id}: pattern '{pattern}' has a piece shorter than 3 characters")
    for (domain, code), owners in sorted(claims.items()):
        if len(owners) > 1:
            owners = sorted(owners)
            named = ", ".join(f"{o} ({where[o]})" if o in where else o for o in owners)
            problems.append(
                f"{where.get(owners[0], owners[0])}: {domain} {code} is claimed by {named}: "
                'mark all but one of them role = "related"'
            )
    return problems


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
