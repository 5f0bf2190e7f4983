"""Entries are written in our own words: no run of 10+ words may repeat the source material,
except literal strings (log messages, Apple error strings, entitlement values) listed here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import BUNDLED_KB

SHARED = Path(__file__).parent.parent.parent / "shared"
RUN = 10
LITERALS = (
    "app transport security has blocked a cleartext http http resource load since it is insecure",
    "packet tunnel provider app proxy provider content filter provider dns proxy dns settings",
    "the vpn app used by the vpn configuration is not installed",
)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def runs(text: str) -> set[str]:
    w = words(text)
    return {" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


@pytest.mark.skipif(not (SHARED / "eval" / "topics.jsonl").exists(), reason="source material not beside the project")
def test_no_prose_copied_from_the_sources() -> None:
    source: set[str] = set()
    # Every topic list (topics.jsonl, topics2.jsonl, ...) is source material.
    lines = [ln for f in sorted((SHARED / "eval").glob("topics*.jsonl")) for ln in f.read_text("utf-8").splitlines()]
    for line in lines:
        topic = json.loads(line)
        for fact in [*topic["facts"], topic["covers"]]:
            source |= runs(re.sub(r"\[https?://[^\]]*\]", "", fact))
    for table in (SHARED / "reference" / "apple-errors").glob("*.tsv"):
        for row in table.read_text(encoding="utf-8").splitlines():
            fields = row.split("\t")
            if len(fields) > 3:
                source |= runs(fields[3])
    allowed = set().union(*(runs(lit) for lit in LITERALS))
    copied = {}
    for path in sorted((BUNDLED_KB / "entries").glob("*.md")):
        text = re.sub(r'url = ".*"', "", path.read_text(encoding="utf-8"))
        shared = (runs(text) & source) - allowed
        if shared:
            copied[path.name] = sorted(shared)[:3]
    assert copied == {}
