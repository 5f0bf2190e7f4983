"""A minimal, safe Markdown subset to HTML: paragraphs, lists, code, links.

Everything is escaped first; the only markup produced is ``<p> <ul> <ol> <li> <pre> <code> <a>``.
A link becomes ``<a>`` only when it is http(s) to a host on the knowledge base's allow-list
(``hosts.txt``); any other link keeps its text and loses its target. Headings, emphasis and raw
HTML are shown as the plain text they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from markupsafe import Markup, escape

_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBER = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Inline code first, so a link inside backticks stays code.
_INLINE = re.compile(r"`([^`\n]+)`|\[([^\]\n]+)\]\(([^)\s]+)\)")
MAX_CHARS = 100_000


def allowed_link(url: str, hosts: frozenset[str]) -> bool:
    """http(s) to a host on the allow-list (an empty allow-list allows no links)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in hosts


def inline(text: str, hosts: frozenset[str]) -> Markup:
    """One line's inline code and links; everything else escaped."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        code, label, url = m.groups()
        if code is not None:
            out.append(f"<code>{escape(code)}</code>")
        elif allowed_link(url, hosts):
            out.append(f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(label)}</a>')
        else:
            out.append(str(escape(label)))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("".join(out))


def _blocks(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """("code" | "ul" | "ol" | "p", lines) in order."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            yield "code", lines[i + 1 : j]
            i = j + 1
            continue
        for kind, pattern in (("ul", _BULLET), ("ol", _NUMBER)):
            if pattern.match(line):
                items = []
                while i < len(lines) and (m := pattern.match(lines[i])):
                    items.append(m.group(1))
                    i += 1
                    # A continuation line (indented, not a new item) joins the item.
                    while i < len(lines) and lines[i].startswith((" ", "\t")) and lines[i].strip():
                        if pattern.match(lines[i]):
                            break
                        items[-1] += " " + lines[i].strip()
                        i += 1
                yield kind, items
                break
        else:
            para: list[str] = []
            while i < len(lines) and lines[i].strip() and not _FENCE.match(lines[i]):
                if para and (_BULLET.match(lines[i]) or _NUMBER.match(lines[i])):
                    break
                para.append(lines[i].strip())
                i += 1
            yield "p", para


def render(text: str, hosts: frozenset[str]) -> Markup:
    """``text`` (Markdown, bounded to :data:`MAX_CHARS`) as safe HTML."""
    out = []
    for kind, lines in _blocks(text[:MAX_CHARS].splitlines()):
        if kind == "code":
            out.append(f"<pre><code>{escape(chr(10).join(lines))}</code></pre>")
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{inline(item, hosts)}</li>" for item in lines)
            out.append(f"<{kind}>{items}</{kind}>")
        else:
            out.append(f"<p>{inline(' '.join(lines), hosts)}</p>")
    return Markup("\n".join(out))
