"""The schema of an entry's front matter: one small validator per field.

Field lists come from the dataclasses in :mod:`bot.models`, so adding a field there is the
only place a new list field has to be named.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from typing import Any

from bot.knowledge.errors import KnowledgeError
from bot.models import KINDS, Entry, ErrorRef, KnownIssue, Link

ISSUE_STATUSES = ("open", "workaround", "fixed", "wontfix")
ROLES = ("primary", "related")
# Error codes are stored as SQLite INTEGER (signed 64-bit); anything wider is a typo, not a code.
CODE_MIN, CODE_MAX = -(2**63), 2**63 - 1
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

_HINTS = typing.get_type_hints(Entry)
# Fields that live outside the front matter (the body) or only in catalog tables.
_NOT_FRONT = {"body", "catalog", "source"}
FRONT_FIELDS = tuple(f.name for f in dataclasses.fields(Entry) if f.name not in _NOT_FRONT)
TEXT_FIELDS = tuple(n for n in FRONT_FIELDS if _HINTS[n] is str)
LIST_FIELDS = tuple(n for n in FRONT_FIELDS if _HINTS[n] == tuple[str, ...])
ISSUE_FIELDS = tuple(f.name for f in dataclasses.fields(KnownIssue))
ERROR_FIELDS = tuple(f.name for f in dataclasses.fields(ErrorRef))


class FrontMatter:
    """Validates parsed front matter field by field, collecting every problem with its line."""

    def __init__(self, data: dict[str, Any], where: str, front: str = "") -> None:
        self.data = data
        self.where = where
        self.front = front
        self.problems: list[str] = []

    def bad(self, key: str, message: str, needle: str | None = None, nth: int = 0) -> None:
        self.problems.append(f"{self.where}:{self.line_of(needle or key, nth)}: {key}: {message}")

    def line_of(self, needle: str, nth: int = 0) -> int:
        """1-based line in the file (front matter starts on line 2) of the nth line starting with needle."""
        seen = 0
        for i, line in enumerate(self.front.split("\n")):
            if line.lstrip().startswith(needle):
                if seen == nth:
                    return i + 2
                seen += 1
        return 1

    # ------------------------------------------------------------ one validator per kind of field

    def unknown_keys(self) -> None:
        for key in self.data:
            if key not in FRONT_FIELDS:
                self.bad(key, f"unknown field (expected one of: {', '.join(sorted(FRONT_FIELDS))})")

    def text(self, key: str) -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.bad(key, "must be a string")
            return ""
        if not value.strip():
            self.bad(key, "must not be empty")
        return value.strip()

    def str_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.bad(key, "must be a list of non-empty strings")
            return ()
        return tuple(v.strip() for v in value)

    def table_list(self, key: str) -> list[tuple[int, Any]]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.bad(key, f"must be an array of tables ([[{key}]])")
            return []
        return list(enumerate(value))

    def error(self, i: int, e: Any) -> ErrorRef | None:
        def bad(field: str, message: str) -> None:
            self.bad(f"errors[{i}]{field}", message, "[[errors]]", i)

        if not isinstance(e, dict):
            bad("", "must be a table ([[errors]])")
            return None
        domain, code, symbol, role = e.get("domain"), e.get("code"), e.get("symbol", ""), e.get("role", "primary")
        extra = set(e) - set(ERROR_FIELDS)
        if not isinstance(domain, str) or not domain:
            bad(".domain", "must be a non-empty string")
        elif not isinstance(code, int) or isinstance(code, bool):
            bad(".code", "must be an integer")
        elif not CODE_MIN <= code <= CODE_MAX:
            bad(".code", f"{code} is out of range for an error code (a signed 64-bit integer)")
        elif not isinstance(symbol, str):
            bad(".symbol", "must be a string")
        elif role not in ROLES:
            bad(".role", "must be 'primary' or 'related'")
        elif extra:
            bad("", f"unknown field(s) {', '.join(sorted(extra))}")
        else:
            return ErrorRef(domain, code, symbol, role)
        return None

    def link(self, i: int, link: Any) -> Link | None:
        if not isinstance(link, dict) or not isinstance(link.get("title"), str) or not isinstance(link.get("url"), str):
            self.bad(f"links[{i}]", "needs a string 'title' and a string 'url'", "[[links]]", i)
            return None
        if not link["title"].strip():
            self.bad(f"links[{i}].title", "must not be empty", "[[links]]", i)
            return None
        extra = set(link) - {"title", "url"}
        if extra:
            self.bad(f"links[{i}]", f"unknown field(s) {', '.join(sorted(extra))}", "[[links]]", i)
            return None
        return Link(link["title"].strip(), link["url"].strip())

    def known_issue(self) -> KnownIssue | None:
        ki = self.data.get("known_issue")
        if ki is None:
            return None
        if not isinstance(ki, dict):
            self.bad("known_issue", "must be a table ([known_issue])")
            return None
        extra = set(ki) - set(ISSUE_FIELDS)
        values = {k: ki.get(k, "") for k in ISSUE_FIELDS}
        if extra:
            self.bad("known_issue", f"unknown field(s) {', '.join(sorted(extra))}", "[known_issue]")
        elif not all(isinstance(v, str) for v in values.values()):
            self.bad("known_issue", "every field must be a string", "[known_issue]")
        elif values["status"] not in ISSUE_STATUSES:
            self.bad("known_issue.status", f"must be one of {', '.join(ISSUE_STATUSES)}", "status")
        elif not _DATE_RE.fullmatch(values["verified"]):
            self.bad("known_issue.verified", "must be a date YYYY-MM-DD", "verified")
        else:
            return KnownIssue(**{k: v.strip() for k, v in values.items()})
        return None

    def identity(self, expected_id: str | None) -> tuple[str, str]:
        entry_id, kind = self.text("id"), self.text("kind")
        if entry_id and not _SLUG_RE.fullmatch(entry_id):
            self.bad("id", f"'{entry_id}' must be a lowercase slug (a-z, 0-9, -)")
        if expected_id is not None and entry_id and entry_id != expected_id:
            self.bad("id", f"'{entry_id}' does not match the file name '{expected_id}.md'")
        if kind and kind not in KINDS:
            self.bad("kind", f"'{kind}' is not one of {', '.join(KINDS)}")
        return entry_id, kind


def _collect(items: list[tuple[int, Any]], check: Callable[[int, Any], Any]) -> tuple[Any, ...]:
    return tuple(x for x in (check(i, v) for i, v in items) if x is not None)


def entry_from_front_matter(
    data: dict[str, Any], body: str, where: str, front: str = "", expected_id: str | None = None
) -> Entry:
    """Check the schema of parsed front matter and build the entry, or raise every problem."""
    fm = FrontMatter(data, where, front)
    fm.unknown_keys()
    entry_id, kind = fm.identity(expected_id)
    texts = {key: fm.text(key) for key in TEXT_FIELDS if key not in ("id", "kind")}
    if len(texts["summary"]) > 400:
        fm.bad("summary", f"is {len(texts['summary'])} characters; keep it to 400 (the answer in one or two sentences)")
    lists = {key: fm.str_list(key) for key in LIST_FIELDS}
    errors = _collect(fm.table_list("errors"), fm.error)
    links = _collect(fm.table_list("links"), fm.link)
    known_issue = fm.known_issue()
    if fm.problems:
        raise KnowledgeError(fm.problems)
    lists["tags"] = tuple(t.lower() for t in lists["tags"])
    fields: dict[str, Any] = {**texts, **lists}
    return Entry(id=entry_id, kind=kind, body=body, errors=errors, links=links, known_issue=known_issue, **fields)
