"""Escaping and mention safety for everything the bot posts, and decoding what Slack sends.

Slack treats ``&``, ``<`` and ``>`` as control characters in mrkdwn: ``<!channel>``,
``<!here>``, ``<!everyone>``, ``<!subteam^ID>`` and ``<@U123>`` are pings. Every piece of
text that comes from a user or from the knowledge base is escaped before it is placed in
mrkdwn, so none of those sequences can be formed. :func:`guard_payload` is the last line of
defence, run over every outgoing message and view, in case a renderer ever forgets.
"""

from __future__ import annotations

import re
from typing import Any

WORD_JOINER = "\u2060"  # invisible, and stops Slack from reading "@here" as a keyword

_BROADCAST_WORDS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_CONTROL_SEQUENCE = re.compile(r"<(?=[!@])")
_SLACK_LINK = re.compile(r"<([^<>]*)>")
_ENTITY_TAIL = re.compile(r"&[a-zA-Z#0-9]*$")


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for mrkdwn and defuse the @channel/@here/@everyone words."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return neutralise(text)


def neutralise(text: str) -> str:
    """Put a word joiner after the ``@`` of broadcast keywords so they read the same but never ping."""
    return _BROADCAST_WORDS.sub(lambda m: "@" + WORD_JOINER + m.group(1), text)


def plain(text: str) -> str:
    """Text for ``plain_text`` objects: Slack never links those, but defuse mention syntax anyway."""
    return neutralise(_CONTROL_SEQUENCE.sub("<" + WORD_JOINER, text))


def cut(text: str, limit: int, marker: str = "…") -> str:
    """Shorten escaped mrkdwn to ``limit`` characters without splitting an entity or a ``<link>``."""
    if len(text) <= limit:
        return text
    head = _trim(text[: max(0, limit - len(marker))])
    if head.count("```") % 2 == 1:  # cut inside a code block: make room to close it
        head = _trim(text[: max(0, limit - len(marker) - 4)])
        return head + marker + ("\n```" if head.count("```") % 2 == 1 else "")
    return head + marker


def _trim(head: str) -> str:
    """Drop a partial ``<link>``, a partial entity and partial backticks from the end."""
    open_at = head.rfind("<")
    if open_at > head.rfind(">"):
        head = head[:open_at]
    return _ENTITY_TAIL.sub("", head).rstrip("`")


def cut_plain(text: str, limit: int) -> str:
    """Shorten plain text (headers, button labels) to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _guard_mrkdwn(text: str) -> str:
    return neutralise(_CONTROL_SEQUENCE.sub("&lt;", text))


def guard_payload(value: Any, kind: str = "mrkdwn") -> Any:
    """Return a copy of a message or view payload in which no ``text`` can ping anyone.

    Walks dicts and lists; in every ``text`` string, ``<!…>`` and ``<@…>`` are
    escaped (mrkdwn) or broken with a word joiner (plain_text), and broadcast words are
    defused. Our own renderers never produce those sequences, so this normally changes nothing.
    """
    if isinstance(value, list):
        return [guard_payload(v, kind) for v in value]
    if not isinstance(value, dict):
        return value
    own_kind = value.get("type") if value.get("type") in ("mrkdwn", "plain_text") else kind
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "text" and isinstance(item, str):
            out[key] = plain(item) if own_kind == "plain_text" else _guard_mrkdwn(item)
        else:
            out[key] = guard_payload(item, kind)
    return out


def unlinked(text: str) -> str:
    """Bare URLs outside ``<link|label>`` sequences broken with a word joiner: a message's
    top-level ``text`` is not verbatim, so Slack would otherwise link them itself."""
    out: list[str] = []
    pos = 0
    for m in _SLACK_LINK.finditer(text):
        out.append(text[pos : m.start()].replace("://", ":" + WORD_JOINER + "//"))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].replace("://", ":" + WORD_JOINER + "//"))
    return "".join(out)


def guard(payload: dict[str, Any]) -> dict[str, Any]:
    """:func:`guard_payload` for one message or view dict; its top-level ``text`` (the
    notification, which Slack auto-links) gets no bare link either."""
    out = guard_payload(payload)
    assert isinstance(out, dict)
    if isinstance(out.get("text"), str):
        out["text"] = unlinked(out["text"])
    return out


def from_slack(text: str) -> str:
    """Plain text from a Slack message: links, mentions and entities decoded for the core.

    ``<https://x|label>`` becomes ``label (https://x)``, ``<@U1>`` becomes ``@U1``, ``<#C1|help>``
    becomes ``#help``, and ``&lt;`` ``&gt;`` ``&amp;`` become ``<`` ``>`` ``&`` again.
    """

    def link(m: re.Match[str]) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if label and label != target:
            return f"{label} ({target})"
        return target

    decoded = _SLACK_LINK.sub(link, text)
    return decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
