"""bench/compare.py's baselines and scoring on the tiny fixture knowledge base.

Only what runs without the bench extra is required (rapidfuzz and sqlite3 ship with the bot);
bm25s is tried when installed. No timings here: speed is bench/'s job.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.evaluate import Case
from bot.knowledge.tree import read_knowledge
from bot.models import Entry

from .core import FIXTURE_KB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from baselines import Fts5Baseline, FuzzyBaseline, document
from report import Hit, Run, in_kb, policy, ranking


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_knowledge(FIXTURE_KB).entries


QUESTION = "my transparent proxy provider never gets handleNewFlow once the Mac wakes from sleep"


@pytest.mark.parametrize(
    ("make", "question"),
    [
        # Fuzzy matching scores whole strings, so it is asked the way tag-bot users type: near a title.
        (FuzzyBaseline, "NETransparentProxyProvider stopped getting handleNewFlow after wake"),
        (Fts5Baseline, QUESTION),
    ],
)
def test_stdlib_baselines_rank_the_fitting_entry_first(entries: list[Entry], make: type, question: str) -> None:
    found = make(entries).search(question, 3)
    assert found[0] == "transparent-proxy-wake"
    assert len(found) <= 3


def test_fts5_treats_query_syntax_as_words(entries: list[Entry]) -> None:
    # Quotes, NEAR(...) and a bare '-' are FTS5 syntax; a message containing them must not raise.
    system = Fts5Baseline(entries)
    assert set(system.search('"unbalanced NEAR( -1009 AND', 2)) == {"offline", "code:NSURLErrorDomain:-1009"}
    assert system.search("!!! ???", 3) == []


def test_bm25s_when_installed(entries: list[Entry]) -> None:
    pytest.importorskip("bm25s")
    from baselines import Bm25sBaseline

    system = Bm25sBaseline(entries)
    assert system.search(QUESTION, 3)[0] == "transparent-proxy-wake"
    assert system.search("zzzz qqqq", 3) == []  # no known word: nothing, not an error


def test_document_carries_error_symbols(entries: list[Entry]) -> None:
    offline = next(e for e in entries if e.id == "offline")
    assert "NSURLErrorNotConnectedToInternet" in document(offline)
    assert "-1009" in document(offline)


def test_scoring_follows_the_eval_rule(entries: list[Entry]) -> None:
    by_id = {e.id: e for e in entries}
    cases = [
        Case("a", "x", {"entry": "offline"}, "dev"),
        Case("b", "x", {"symbol": "ECONNREFUSED"}, "dev"),
        Case("c", "x", {"entry": "no-such-entry"}, "own"),
        Case("d", "x", {"abstain": True}, "dev"),
    ]
    run = Run(
        "t",
        [
            Hit(["offline"], 0.95, True),  # right at top-1, auto-replied
            Hit(["flow-crash", "code:NSPOSIXErrorDomain:61"], 0.5, True),  # right only at top-3: a wrong auto-reply
            Hit(["offline"], 0.2, False),
            Hit(["offline"], 0.9, False),  # off-topic and silent
        ],
        [],
    )
    r = ranking(run, cases, by_id)
    assert r["all"] == [3, 1, 2]
    assert r["dev"] == [2, 1, 2]
    p = policy(run, cases, by_id)
    assert (p["auto"], p["auto_ok"], p["answerable"], p["offtopic"], p["silent"]) == (2, 1, 3, 1, 1)
    assert p["bins"] == {"0.9": [1, 1], "0.5": [1, 0], "0.2": [1, 0]}
    assert in_kb(cases, entries) == [True, True, False, False]


def test_a_combined_answer_is_right_when_either_part_is_expected(entries: list[Entry]) -> None:
    by_id = {e.id: e for e in entries}
    cases = [Case("a", "x", {"symbol": "ECONNREFUSED"}, "dev"), Case("b", "x", {"symbol": "ECONNREFUSED"}, "dev")]
    both = ["offline", "code:NSPOSIXErrorDomain:61"]
    run = Run("t", [Hit(both, 0.9, True, combined=True), Hit(both, 0.9, True)], [0.0, 0.0])
    # The same ids: right at top-1 as the second part of a combined answer, wrong as a plain runner-up.
    assert ranking(run, cases, by_id)["all"] == [2, 1, 2]
    assert policy(run, cases, by_id)["auto_ok"] == 1
