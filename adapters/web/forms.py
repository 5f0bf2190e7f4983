"""The entry form: an :class:`Entry` as plain form fields and back.

List fields are one value a line; an error key is ``Domain code [symbol] [related]``; a link is
``url title``. The curator runs the same checks as ``kb lint`` on the result, so this module
only has to read the fields faithfully and say clearly what it cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.models import KINDS, Entry, ErrorRef, Link, SupportBotError

FIELD_MAX = 20_000


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def entry_fields(entry: Entry) -> dict[str, str]:
    """The form's field values for ``entry`` (a draft or a stored entry)."""
    errors = [
        " ".join(p for p in (e.domain, str(e.code), e.symbol, "related" if e.role == "related" else "") if p)
        for e in entry.errors
    ]
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "errors": "\n".join(errors),
        "aliases": "\n".join(entry.aliases),
        "patterns": "\n".join(entry.patterns),
        "tags": "\n".join(entry.tags),
        "links": "\n".join(f"{link.url} {link.title}" for link in entry.links),
    }


def _error(line: str) -> ErrorRef:
    parts = line.split()
    role = "related" if parts and parts[-1].lower() == "related" else "primary"
    if role == "related":
        parts = parts[:-1]
    if len(parts) not in (2, 3):
        raise SupportBotError(f"error key '{line}': write it as 'Domain code [symbol] [related]'")
    try:
        code = int(parts[1])
    except ValueError:
        raise SupportBotError(f"error key '{line}': '{parts[1]}' is not a whole number") from None
    return ErrorRef(parts[0], code, parts[2] if len(parts) == 3 else "", role)


def _link(line: str) -> Link:
    url, _, title = line.partition(" ")
    if not title.strip():
        raise SupportBotError(f"link '{line}': write it as 'URL title'")
    return Link(title.strip(), url)


def form_values(form: Mapping[str, object]) -> dict[str, str]:
    """Every entry field from a posted form (text, bounded; a missing field is empty)."""
    return {key: str(form.get(key, ""))[:FIELD_MAX] for key in entry_fields(Entry("", "howto", "", ""))}


def entry_from_form(form: Mapping[str, object]) -> Entry:
    """The entry the form describes; :class:`SupportBotError` names a field it cannot read."""
    values = form_values(form)
    if values["kind"] not in KINDS:
        raise SupportBotError(f"kind must be one of {', '.join(KINDS)}")
    for key in ("id", "title", "summary"):
        if not values[key].strip():
            raise SupportBotError(f"{key} is required")
    return Entry(
        id=values["id"].strip(),
        kind=values["kind"],
        title=" ".join(values["title"].split()),
        summary=" ".join(values["summary"].split()),
        body=values["body"].replace("\r\n", "\n").strip(),
        errors=tuple(_error(line) for line in _lines(values["errors"])),
        aliases=tuple(_lines(values["aliases"])),
        patterns=tuple(_lines(values["patterns"])),
        tags=tuple(_lines(values["tags"])),
        links=tuple(_link(line) for line in _lines(values["links"])),
    )
