"""Defence in depth for the Markdown the bot posts on Discord: no live link to a host outside
knowledge/hosts.txt, whatever an entry or a file name says.

Entries are linted before they are saved, but the renderer does not rely on it: every masked
link, ``<autolink>`` and bare URL outside code is kept only when :func:`bot.chat.link_target`
accepts it; anything else is shown as text (a URL as inline code, which Discord never links).
"""

from __future__ import annotations

import re

import discord

from bot.chat import code_span, link_target

# Code is left alone: Discord renders no links or markup inside it.
_CODE = re.compile(r"```[\s\S]*?(?:```|\Z)|`[^`\n]+`")
_LINKISH = re.compile(
    r"\[(?P<label>[^\[\]\n]*)\]\(\s*<?(?P<target>[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+\"[^\"\n]*\")?\s*\)"
    r"|<(?P<angle>[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]*)>"
    r"|(?P<bare>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>`]*)"
)
# What is left of a masked link the pattern did not take (nested brackets): never a link.
_OPENER = re.compile(r"\]\s*\(")


def _url(url: str, hosts: frozenset[str], bare: bool) -> str:
    target = link_target(url, hosts)
    if target is None:
        return code_span(url, 2000)
    return url if bare else f"<{target}>"


def _text(segment: str, hosts: frozenset[str]) -> str:
    out: list[str] = []
    pos = 0
    for m in _LINKISH.finditer(segment):
        out.append(_OPENER.sub("]\u200b(", segment[pos : m.start()]))
        pos = m.end()
        if m.group("angle") is not None:
            out.append(_url(m.group("angle"), hosts, bare=False))
        elif m.group("bare") is not None:
            out.append(_url(m.group("bare"), hosts, bare=True))
        else:
            label = _text(m.group("label"), hosts)
            target = link_target(m.group("target"), hosts)
            out.append(f"[{label}]({target})" if target and label.strip() else label)
    out.append(_OPENER.sub("]\u200b(", segment[pos:]))
    return "".join(out)


def safe_markdown(text: str, hosts: frozenset[str]) -> str:
    """``text`` with every link outside code pointing at an allowed host (or made plain text),
    and an unclosed code block closed so it cannot swallow what follows."""
    out: list[str] = []
    pos = 0
    for m in _CODE.finditer(text):
        out.append(_text(text[pos : m.start()], hosts))
        out.append(m.group(0))
        pos = m.end()
    out.append(_text(text[pos:], hosts))
    result = "".join(out)
    if result.count("```") % 2:
        result += "\n```"
    return result


def plain(text: str, hosts: frozenset[str]) -> str:
    """Text that is not meant as Markdown (notes naming someone's file): markup escaped, links defused."""
    return safe_markdown(discord.utils.escape_markdown(text), hosts)


def echo(text: str, limit: int = 300) -> str:
    """What someone typed, quoted back as inline code: no link, markup or mention survives."""
    return "> " + code_span(discord.utils.escape_mentions(text), limit - 2)
