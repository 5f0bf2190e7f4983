"""Entries: search (the engine's ranking with its reasons) or list; one entry as the chat
answer shows it, its history with a diff per revision, and revert through the curator."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from adapters.web import markdown
from adapters.web.context import actor_of, dashboard_of, render
from bot.knowledge.entryfile import render_entry
from bot.models import Entry, Revision, SupportBotError

LIST_LIMIT = 500
QUERY_MAX = 4000
NOTES = {
    "created": "Entry created.",
    "taught": "Entry taught; the item left the review queue.",
    "reverted": "Reverted: the old content is current again, as a new revision.",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One revision with the unified diff from the one before it."""

    revision: Revision
    lines: list[tuple[str, str]]  # (css class, text)
    current: bool


def diff_lines(before: Entry | None, after: Entry | None) -> list[tuple[str, str]]:
    """The file-text diff between two revisions (``None``: absent), classed per line."""
    old = render_entry(before).splitlines() if before else []
    new = render_entry(after).splitlines() if after else []
    out = []
    for line in list(difflib.unified_diff(old, new, "before", "after", lineterm="", n=2))[2:]:
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        out.append((kind, line))
    return out


def changes(revisions: list[Revision]) -> list[Change]:
    """Newest first, each with its diff."""
    out = []
    for i, rev in enumerate(revisions):
        before = revisions[i - 1].entry if i else None
        out.append(Change(rev, diff_lines(before, rev.entry), i == len(revisions) - 1))
    return list(reversed(out))


async def listing(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    query = request.query.get("q", "")[:QUERY_MAX].strip()
    show_all = request.query.get("all") == "1"
    matches = await dash.engine.why(query) if query else []
    entries = [] if query else [e for e in await dash.engine.list_entries() if show_all or e.curated]
    return render(
        request,
        "entries.html",
        title="Entries",
        query=query,
        matches=matches,
        entries=entries[:LIST_LIMIT],
        more=max(0, len(entries) - LIST_LIMIT),
        show_all=show_all,
    )


async def entry_page(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    entry_id = request.match_info["entry_id"]
    entry = await dash.engine.get_entry(entry_id)
    return render(
        request,
        "entry.html",
        title=entry.title,
        entry=entry,
        body=markdown.render(entry.body, dash.hosts),
        links=[link for link in entry.links if markdown.allowed_link(link.url, dash.hosts)],
        history=changes(await dash.engine.history(entry_id)),
        note=NOTES.get(request.query.get("note", ""), ""),
    )


async def revert(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    entry_id = request.match_info["entry_id"]
    form = await request.post()
    try:
        rev = int(str(form.get("rev", "")))
    except ValueError:
        raise SupportBotError("choose a revision number to revert to") from None
    await dash.curator.revert(entry_id, rev, actor_of(request))
    raise web.HTTPSeeOther(f"/entries/{quote(entry_id, safe='')}?note=reverted")


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/entries", listing)
    router.add_get("/entries/{entry_id}", entry_page)
    router.add_post("/entries/{entry_id}/revert", revert)
