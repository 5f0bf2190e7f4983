"""One ``entries/<id>.md`` file: TOML front matter between ``+++`` lines, then a Markdown body.

Rendering is canonical: parsing a canonical file and rendering it gives the same bytes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.knowledge.errors import KnowledgeError
from bot.knowledge.schema import ISSUE_FIELDS, LIST_FIELDS, entry_from_front_matter
from bot.models import Entry

FENCE = "+++"
_LINE_RE = re.compile(r"at line (\d+)")

# The form both chat platforms prefill for a new entry: plain fields, then the tables.
NEW_ENTRY_FIELDS = """id = "new-entry-id"
kind = "howto"
title = ""
summary = ""
aliases = []
tags = []"""
NEW_ENTRY_TABLES = """# Uncomment and fill in what applies:
# [[errors]]
# domain = "NSURLErrorDomain"
# code = -1009
# symbol = "NSURLErrorNotConnectedToInternet"
#
# [[links]]
# title = ""
# url = "https://developer.apple.com/documentation/..."
"""
NEW_ENTRY_FRONT = NEW_ENTRY_FIELDS + "\n\n" + NEW_ENTRY_TABLES


def parse_entry_bytes(data: bytes, where: str, expected_id: str | None = None) -> Entry:
    """Parse the bytes of an entry file; ``where`` names it in error messages."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([f"{where}:1: not UTF-8 text ({exc.reason})"]) from None
    return parse_entry_text(text, where, expected_id)


def parse_entry_file(path: Path) -> Entry:
    """Parse one ``entries/<id>.md`` file."""
    return parse_entry_bytes(path.read_bytes(), str(path), expected_id=path.stem)


def split_front(text: str) -> tuple[str, str] | None:
    """(front matter without the fences, body), or None when the fences are missing."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FENCE:
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        return None
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]).strip()


def join_front(front: str, body: str) -> str:
    """The inverse of :func:`split_front`."""
    return f"{FENCE}\n{front.strip()}\n{FENCE}\n{body.strip()}\n"


def parse_entry_text(text: str, where: str, expected_id: str | None = None) -> Entry:
    """Parse front matter + body; ``where`` names the source in error messages."""
    text = text.replace("\r\n", "\n")
    if not text.split("\n", 1)[0].strip() == FENCE:
        raise KnowledgeError([f"{where}:1: must start with a '+++' line (TOML front matter)"])
    parts = split_front(text)
    if parts is None:
        raise KnowledgeError([f"{where}:1: front matter is not closed by a second '+++' line"])
    front, body = parts
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE_RE.search(str(exc))
        end = front.count("\n") + 2
        line = int(m.group(1)) + 1 if m else (end if "end of document" in str(exc) else 1)
        raise KnowledgeError([f"{where}:{line}: invalid TOML: {exc}"]) from None
    return entry_from_front_matter(data, body, where, front, expected_id)


def toml_str(value: str) -> str:
    """A TOML basic string (control characters escaped, so one value is one line)."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_list(values: tuple[str, ...]) -> str:
    items = [toml_str(v) for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 96:
        return one_line
    return "[\n" + "".join(f"  {item},\n" for item in items) + "]"


def render_entry(entry: Entry) -> str:
    """The canonical text of an ``entries/<id>.md`` file."""
    out = [FENCE]
    for key in ("id", "kind", "title", "summary"):
        out.append(f"{key} = {toml_str(getattr(entry, key))}")
    for key in LIST_FIELDS:
        values: tuple[str, ...] = getattr(entry, key)
        if values:
            out.append(f"{key} = {_toml_list(values)}")
    for err in entry.errors:
        out += ["", "[[errors]]", f"domain = {toml_str(err.domain)}", f"code = {err.code}"]
        out.append(f"symbol = {toml_str(err.symbol)}")
        if err.role != "primary":
            out.append(f"role = {toml_str(err.role)}")
    for link in entry.links:
        out += ["", "[[links]]", f"title = {toml_str(link.title)}", f"url = {toml_str(link.url)}"]
    if entry.known_issue is not None:
        out += ["", "[known_issue]"]
        out += [f"{key} = {toml_str(getattr(entry.known_issue, key))}" for key in ISSUE_FIELDS]
    out.append(FENCE)
    text = "\n".join(out) + "\n"
    if entry.body.strip():
        text += entry.body.strip() + "\n"
    return text
