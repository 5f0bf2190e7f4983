"""Inline Markdown cut to a length for short answers: never inside a code span, a link or a
bold run; at a sentence or clause end when one is near. Pure text functions, no entries."""

from __future__ import annotations

import re

WHOLE_MAX = 150  # a command up to this long is kept whole rather than cut in half

# Words, where a code span, a link or a bold run counts as part of one word: a cut never splits them.
_ATOM = re.compile(r"(?:`[^`\n]*`|!?\[[^\]\n]*\]\([^)\s]*\)|\*\*[^*\n]+\*\*|[^\s`]|`)+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z`*(\"'])")
_CODE = re.compile(r"`[^`\n]*`")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.")


def sentences(text: str) -> list[str]:
    """Sentences of ``text``, never split inside a code span or after a common abbreviation."""
    # Code spans masked, their backticks kept: a sentence may start with one, never end inside one.
    masked = _CODE.sub(lambda m: "`" + "x" * (len(m.group()) - 2) + "`", text)
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(masked):
        if masked[: m.start()].endswith(_ABBREVIATIONS):
            continue
        out.append(text[start : m.start()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def lead_sentences(text: str, limit: int) -> str:
    """The first sentences of ``text`` that fit in ``limit`` characters (at least the first, cut)."""
    found = sentences(" ".join(text.split()))
    out = ""
    for s in found:
        joined = f"{out} {s}".strip()
        if len(visible(joined)) > limit:
            break
        out = joined
    return out or clip_clause(found[0] if found else "", limit)


def clip_clause(text: str, limit: int, marker: str = "…") -> str:
    """Like :func:`clip_inline`, but ending at a clause (before ``:``, ``;``, ``,``, ``(`` or a
    dash) when one ends in the second half of the text kept, so the cut reads as a whole thought."""
    cut = clip_inline(text, limit, marker)
    if not cut.endswith(marker) or text.endswith(marker):
        return cut
    head = cut[: -len(marker)]
    masked = _CODE.sub(lambda m: "x" * len(m.group()), head)
    for seps in ((": ", "; ", " — "), (", ", " (", " - ")):  # the strongest break that is far enough
        ends = [m.start() for sep in seps for m in re.finditer(re.escape(sep), masked)]
        ends = [at for at in ends if at > len(head) // 2 and _balanced(head[:at])]
        if ends:
            return head[: max(ends)].rstrip() + marker
    return cut


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")") and text.count("**") % 2 == 0


def visible(text: str) -> str:
    """Inline Markdown as a reader sees it: link labels without targets, no emphasis markers."""
    text = re.sub(r"!?\[([^\]\n]*)\]\([^)\s]*\)", r"\1", text)
    return text.replace("**", "").replace("`", "")


def clip_inline(text: str, limit: int, marker: str = "…") -> str:
    """Inline Markdown cut to about ``limit`` visible characters between whole words, code spans
    and links, so a cut never leaves a code span, a bold run or a link open."""
    text = " ".join(text.split())
    if len(visible(text)) <= limit:
        return text
    out: list[str] = []
    size = 0
    for atom in _ATOM.findall(text):
        width = len(visible(atom)) + (1 if out else 0)
        if size + width > limit - len(marker):
            if not out and width <= max(limit, WHOLE_MAX):  # a command is kept whole or not at all
                return str(atom) if atom == text else str(atom).rstrip(" ,;:-") + marker
            if not out:  # one span much longer than the limit: cut inside it, markup dropped
                out.append(visible(atom)[: max(1, limit - len(marker))])
            break
        out.append(atom)
        size += width
    return " ".join(out).rstrip(" ,;:-") + marker
