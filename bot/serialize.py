"""Entries to and from plain dicts: the JSON stored in the database and printed by export."""

from __future__ import annotations

from typing import Any

from bot.models import Entry, ErrorRef, KnownIssue, Link


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """The design's JSON shape of an entry (empty optional fields are kept for stability)."""
    data: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "errors": [
            {"domain": e.domain, "code": e.code, "symbol": e.symbol} | ({"role": e.role} if e.role != "primary" else {})
            for e in entry.errors
        ],
        "patterns": list(entry.patterns),
        "aliases": list(entry.aliases),
        "tags": list(entry.tags),
        "links": [{"title": link.title, "url": link.url} for link in entry.links],
        "known_issue": None,
        "related": list(entry.related),
    }
    if entry.known_issue is not None:
        ki = entry.known_issue
        data["known_issue"] = {
            "status": ki.status,
            "affects": ki.affects,
            "fixed_in": ki.fixed_in,
            "workaround": ki.workaround,
            "verified": ki.verified,
        }
    if entry.catalog:
        data["catalog"] = entry.catalog
        data["source"] = entry.source
    return data


def entry_from_dict(data: dict[str, Any]) -> Entry:
    """Inverse of :func:`entry_to_dict`. Assumes the data was validated when it was written."""
    ki = data.get("known_issue")
    return Entry(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        summary=data["summary"],
        body=data.get("body", ""),
        errors=tuple(
            ErrorRef(e["domain"], int(e["code"]), e.get("symbol", ""), e.get("role", "primary"))
            for e in data.get("errors", ())
        ),
        patterns=tuple(data.get("patterns", ())),
        aliases=tuple(data.get("aliases", ())),
        tags=tuple(data.get("tags", ())),
        links=tuple(Link(x["title"], x["url"]) for x in data.get("links", ())),
        known_issue=KnownIssue(**ki) if ki else None,
        related=tuple(data.get("related", ())),
        catalog=data.get("catalog", ""),
        source=data.get("source", ""),
    )
