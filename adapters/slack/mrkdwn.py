"""Markdown (the knowledge base's format) to Slack mrkdwn.

Slack's mrkdwn is not Markdown: bold is ``*x*``, italic ``_x_``, strike ``~x~``, links are
``<url|title>``, there are no headings, and ``&``, ``<``, ``>`` must be escaped. The converter
works line by line for block structure (fences, headings, lists, quotes) and with one
tokenizing pattern for inline structure. Everything that is not markup is escaped, so the
output can never contain a ping such as ``<!channel>`` whatever the Markdown said.
"""

from __future__ import annotations

import re

from adapters.slack.safety import escape
from bot.chat import link_target

NO_HOSTS: frozenset[str] = frozenset()

_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+.#-]*)\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)(\d{1,9})[.)]\s+(.*)$")
_TASK = re.compile(r"^\[([ xX])\]\s+")

_INLINE = re.compile(
    r"(?P<tick>`+)(?P<code>.+?)(?P=tick)"
    r"|!?\[(?P<label>[^\]\n]*)\]\((?P<url>[^()\s]+)(?:\s+\"[^\"\n]*\")?\)"
    r"|<(?P<auto>(?:https?://|mailto:)[^<>\s]+)>"
    r"|(?P<bare>https?://[^\s<>()\[\]`]*[^\s<>()\[\]`.,;:!?'\"*_])"
    r"|(?P<bmark>\*\*|__)(?P<bold>\S(?:.*?\S)?)(?P=bmark)"
    r"|~~(?P<strike>\S(?:.*?\S)?)~~"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<uem>[^_\s](?:[^_]*[^_\s])?)_(?![\w_])"
    r"|\\(?P<esc>[\\`*_{}\[\]()#+\-.!~>|<&])"
)
_MARKERS = re.compile(r"(\*\*|__|~~|`)")
SAFE_SCHEMES = ("https://", "http://", "mailto:")


def link(url: str, label: str = "", hosts: frozenset[str] = NO_HOSTS) -> str:
    """A mrkdwn link ``<url|label>``, only to a plain https URL on ``hosts`` (knowledge/hosts.txt;
    empty: any host); any other URL becomes plain text (section text is verbatim, so Slack
    does not link it either)."""
    checked = link_target(url, hosts)
    if checked is None:
        return escape(label or url.strip())
    target = escape(checked)
    label = escape(label.replace("|", "/")) if label else ""
    return f"<{target}|{label}>" if label and label != target else f"<{target}>"


def inline(text: str, hosts: frozenset[str] = NO_HOSTS) -> str:
    """Convert one line's inline Markdown to mrkdwn, escaping all literal text."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        pos = m.end()
        if m.group("code") is not None:
            out.append("`" + escape(m.group("code").strip()) + "`")
        elif m.group("url") is not None:
            out.append(link(m.group("url"), _MARKERS.sub("", m.group("label")) or m.group("url"), hosts))
        elif m.group("auto") is not None:
            out.append(link(m.group("auto"), hosts=hosts))
        elif m.group("bare") is not None:
            out.append(link(m.group("bare"), hosts=hosts))
        elif m.group("bold") is not None:
            out.append("*" + inline(m.group("bold"), hosts).replace("*", "") + "*")
        elif m.group("strike") is not None:
            out.append("~" + inline(m.group("strike"), hosts) + "~")
        elif m.group("em") is not None or m.group("uem") is not None:
            out.append("_" + inline(m.group("em") or m.group("uem"), hosts) + "_")
        else:
            out.append(escape(m.group("esc")))
    out.append(escape(text[pos:]))
    return "".join(out)


def _block_line(line: str, hosts: frozenset[str]) -> str:
    if not line.strip():
        return ""
    if m := _HEADING.match(line):
        return "*" + inline(m.group(1), hosts).replace("*", "") + "*"
    if _RULE.match(line):
        return "──────────"
    if m := _QUOTE.match(line):
        return "> " + inline(m.group(1), hosts)
    if m := _BULLET.match(line):
        indent, item = m.group(1), m.group(2)
        if t := _TASK.match(item):
            item = ("☑ " if t.group(1).strip() else "☐ ") + item[t.end() :]
        return "    " * (len(indent.expandtabs(4)) // 2) + "• " + inline(item, hosts)
    if m := _NUMBERED.match(line):
        return "    " * (len(m.group(1).expandtabs(4)) // 2) + m.group(2) + ". " + inline(m.group(3), hosts)
    return inline(line.strip(), hosts)


def to_mrkdwn(markdown: str, hosts: frozenset[str] = NO_HOSTS) -> str:
    """Convert a Markdown document to mrkdwn: headings bold, lists with bullets, links as
    ``<url|title>``, fenced code as plain triple-backtick blocks (the language tag dropped)."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.replace("\r\n", "\n").split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1).startswith(fence) and not m.group(2):
                out.append("```")
                fence = None
            else:
                out.append(escape(line.rstrip()))
            continue
        if m:
            fence = m.group(1)
            out.append("```")
            continue
        out.append(_block_line(line, hosts))
    if fence is not None:
        out.append("```")
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def split(mrkdwn: str, limit: int) -> list[str]:
    """Split converted text into pieces of at most ``limit`` characters for section blocks.

    Pieces break at line ends (a line longer than a piece is hard-wrapped); a code block cut
    in two is closed at the end of one piece and reopened at the start of the next.
    """
    width = max(16, limit - 10)
    lines: list[str] = []
    for line in mrkdwn.split("\n"):
        while len(line) > width:
            lines.append(line[:width])
            line = line[width:]
        lines.append(line)
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    in_code = False
    for line in lines:
        closing = in_code and line == "```"
        reserve = 4 if in_code else 0
        if current and not closing and size + len(line) + 1 + reserve > limit:
            text = "\n".join(current) + ("\n```" if in_code else "")
            if text.strip("`\n "):
                pieces.append(text)
            current, size = (["```"], 3) if in_code else ([], 0)
        current.append(line)
        size += len(line) + 1
        if line == "```":
            in_code = not in_code
    text = "\n".join(current)
    if text.strip("`\n "):
        pieces.append(text)
    return pieces
