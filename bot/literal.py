"""Finding the knowledge base's literal text (patterns, phrases) in a message, on token boundaries.

A plain substring test lets ``NEVPNErrorDomain Code=4`` match ``Code=42`` and ``error -100``
match ``error -1009``. So a piece of literal text matches only where it does not run on into
the text around it: at a pattern's ends an identifier may not continue (``Code=4`` never
matches ``Code=42``, ``nw_connection`` never matches ``nw_connection_x``), and next to a ``*``
or at a phrase's ends a number may not continue. Only ASCII word characters count, so
Japanese or Chinese text, written without spaces, still matches inside a sentence.

Matching stays linear in the text: ``str.find`` and a one-character look on each side of
every candidate, no regular expression built from knowledge-base text.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

WORD_CHARS = frozenset(string.ascii_letters + string.digits + "_")
DIGITS = frozenset(string.digits)
NOTHING: frozenset[str] = frozenset()

# How strict an edge of a piece is.
LOOSE = 0  # any neighbour
NUMBER = 1  # a digit may not continue a number
IDENTIFIER = 2  # a word character may not continue a word, identifier or number


@dataclass(frozen=True, slots=True)
class Piece:
    """Literal lowercase text and the characters that may not stand just before or after it."""

    text: str
    not_before: frozenset[str] = NOTHING
    not_after: frozenset[str] = NOTHING


def _barrier(char: str, rule: int) -> frozenset[str]:
    if rule == IDENTIFIER and char in WORD_CHARS:
        return WORD_CHARS
    if rule >= NUMBER and char in DIGITS:
        return DIGITS
    return NOTHING


def bounded(text: str, start: int, end: int) -> Piece:
    """A piece of literal text with the given edge rules (``LOOSE``, ``NUMBER``, ``IDENTIFIER``)."""
    return Piece(text, _barrier(text[:1], start), _barrier(text[-1:], end))


def pattern_groups(raw: str) -> tuple[tuple[Piece, ...], ...]:
    """A pattern's ``&&`` groups, each split on ``*``; the group's ends are token boundaries."""
    groups = []
    for group in raw.split("&&"):
        texts = [p.strip().lower() for p in group.split("*") if p.strip()]
        if not texts:
            continue
        last = len(texts) - 1
        groups.append(
            tuple(
                bounded(t, IDENTIFIER if k == 0 else NUMBER, IDENTIFIER if k == last else NUMBER)
                for k, t in enumerate(texts)
            )
        )
    return tuple(groups)


def find(text: str, p: Piece, start: int = 0, end: int | None = None) -> int:
    """Where ``p`` first occurs in ``text[start:end]`` on its boundaries, or -1."""
    stop = len(text) if end is None else end
    size = len(p.text)
    pos = text.find(p.text, start, stop)
    while pos != -1:
        after = pos + size
        if (pos == 0 or text[pos - 1] not in p.not_before) and (after >= len(text) or text[after] not in p.not_after):
            return pos
        pos = text.find(p.text, pos + 1, stop)
    return -1


def pattern_matches(groups: tuple[tuple[Piece, ...], ...], text: str) -> bool:
    """Every && group must match; within a group the * pieces appear in order on one line."""
    for pieces in groups:
        first = pieces[0]
        pos = find(text, first)
        if len(pieces) == 1:
            if pos == -1:
                return False
            continue
        matched = False
        while pos != -1:
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end == -1 else line_end
            cursor = pos + len(first.text)
            for p in pieces[1:]:
                cursor = find(text, p, cursor, line_end)
                if cursor == -1:
                    break
                cursor += len(p.text)
            else:
                matched = True
                break
            # The earliest valid place for each later piece was tried: this line cannot match.
            pos = find(text, first, line_end)
        if not matched:
            return False
    return True


# "a plain QUIC connection (not HTTP/3)": a short alias right after one of these is what the question is not about.
_NEGATED_RE = re.compile(r"(?:(?<!\w)(?:not|no|without|instead of|rather than|other than)(?: an?)? |non-)$")


def affirmed(text: str, p: Piece, sentence: bool) -> bool:
    """Whether ``p`` occurs in ``text`` at least once not right after a negation (a ``sentence``, an
    error's message, always counts)."""
    pos = find(text, p)
    while pos != -1:
        if sentence or not _NEGATED_RE.search(text, max(0, pos - 16), pos):
            return True
        pos = find(text, p, pos + 1)
    return False
