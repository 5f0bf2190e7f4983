"""Folding repeated material out of a pasted log before the costly scans.

A 1 MB paste is often one line repeated ten thousand times, or one code repeated on a single
line. Every error-code regex match costs Python work, so repeats are removed first: identical
lines are kept once, and very long lines are cut into overlapping windows of words that are
kept once each (neighbouring new windows written as one run). What the text *says* is unchanged
(every distinct line and every run of up to ``WINDOW_OVERLAP`` words still appears whole); only
how often it says it is lost, which the ranking never used (a log counts each token once).
"""

from __future__ import annotations

LONG_LINE = 4096  # lines longer than this are windowed (real log lines, NSError dumps included, are shorter)
WINDOW_WORDS = 64
WINDOW_OVERLAP = 16  # a pattern spanning up to this many words is whole in some window


def fold_repeats(text: str) -> str:
    """``text`` with duplicate lines and duplicate word windows of long lines removed (first kept)."""
    pieces: dict[str, None] = {}
    windows: set[tuple[str, ...]] = set()
    for line in text.split("\n"):
        if len(line) <= LONG_LINE:
            pieces.setdefault(line)
        else:
            for run in _new_runs(line.split(), windows):  # tabs and runs of spaces become one space
                pieces.setdefault(run)
    return "\n".join(pieces)


def _new_runs(words: list[str], seen: set[tuple[str, ...]]) -> list[str]:
    """The windows of ``words`` not in ``seen`` (which is updated), neighbours joined into one run.

    Neighbouring windows share WINDOW_OVERLAP words; writing a run of new windows once, rather
    than window by window, keeps a long line of distinct words its own length instead of a
    third longer, and every new window still stands whole in the output.
    """
    step = WINDOW_WORDS - WINDOW_OVERLAP
    runs: list[str] = []
    run_start = run_end = -1
    for start in range(0, max(len(words) - WINDOW_OVERLAP, 1), step):
        window = tuple(words[start : start + WINDOW_WORDS])
        if window in seen:
            continue
        seen.add(window)
        if start >= run_end:  # not overlapping the run so far: that run is complete
            if run_end > 0:
                runs.append(" ".join(words[run_start:run_end]))
            run_start = start
        run_end = start + WINDOW_WORDS
    if run_end > 0:
        runs.append(" ".join(words[run_start:run_end]))
    return runs
