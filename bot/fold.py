"""Folding repeated material out of a pasted log before the costly scans.

A 1 MB paste is often one line repeated ten thousand times, or one code repeated on a single
line. Every error-code regex match costs Python work, so repeats are removed first: identical
lines are kept once, and very long lines are cut into overlapping windows of words that are
kept once each. What the text *says* is unchanged (every distinct line and every run of up to
``WINDOW_OVERLAP`` words still appears whole); only how often it says it is lost, which the
ranking never used (a log counts each token once).
"""

from __future__ import annotations

LONG_LINE = 4096  # lines longer than this are windowed (real log lines, NSError dumps included, are shorter)
WINDOW_WORDS = 64
WINDOW_OVERLAP = 16  # a pattern spanning up to this many words is whole in some window


def fold_repeats(text: str) -> str:
    """``text`` with duplicate lines and duplicate word windows of long lines removed (first kept)."""
    pieces: dict[str, None] = {}
    for line in text.split("\n"):
        if len(line) <= LONG_LINE:
            pieces.setdefault(line)
            continue
        words = line.split()  # tabs and runs of spaces become one space: every regex accepts that
        step = WINDOW_WORDS - WINDOW_OVERLAP
        for start in range(0, max(len(words) - WINDOW_OVERLAP, 1), step):
            pieces.setdefault(" ".join(words[start : start + WINDOW_WORDS]))
    return "\n".join(pieces)
