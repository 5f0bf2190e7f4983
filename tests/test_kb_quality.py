"""The bundled knowledge base: coverage of the required codes and topics, and answer quality
on the project's own questions (tests/eval/questions.jsonl, written for this project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluate import evaluate, load_cases
from bot.knowledge.tree import read_knowledge
from bot.models import Entry
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, start_core

HERE = Path(__file__).parent
SHARED_TOPICS = HERE.parent.parent / "shared" / "eval" / "topics.jsonl"

# The codes the knowledge-base issue names: each needs a curated entry that claims it.
REQUIRED = {
    "NSURLErrorDomain": [
        -999,
        -1001,
        -1003,
        -1004,
        -1005,
        -1009,
        -1011,
        -1017,
        -1020,
        -1022,
        -1200,
        -1201,
        -1202,
        -1205,
        -1206,
    ],
    "NSOSStatusErrorDomain": [
        -9800,
        -9802,
        -9806,
        -9807,
        -9808,
        -9813,
        -9816,
        -9824,
        -9825,
        -9814,
        -9836,
        -9843,
        -9858,
        *list(range(-9886, -9879)),
    ],
    "NSPOSIXErrorDomain": [1, 9, 13, 22, 32, 48, 49, 50, 51, 54, 57, 60, 61, 64, 65],
    "kCFErrorDomainCFNetwork": [2, 310, 311],
    "kNWErrorDomainDNS": [-65537, -65540, -65554, -65555, -65563, -65569, -65570],
    "NSNetServicesErrorDomain": [-72000, -72004, -72008],
}
EVERY_CODE_OF = [
    "NEVPNErrorDomain",
    "NEFilterErrorDomain",
    "NEAppProxyErrorDomain",
    "NEDNSProxyErrorDomain",
    "NEHotspotConfigurationErrorDomain",
    "OSSystemExtensionErrorDomain",
]


@pytest.fixture(scope="module")
def kb() -> list[Entry]:
    return read_knowledge(BUNDLED_KB).entries


def curated_claims(entries: list[Entry]) -> set[tuple[str, int]]:
    return {e2.key for e in entries if e.curated for e2 in e.errors if e2.role == "primary"}


def test_required_codes_have_curated_entries(kb: list[Entry]) -> None:
    claims = curated_claims(kb)
    missing = [(d, c) for d, codes in REQUIRED.items() for c in codes if (d, c) not in claims]
    assert not missing


def test_every_code_of_the_network_extension_domains_is_curated(kb: list[Entry]) -> None:
    claims = curated_claims(kb)
    catalog = {e.errors[0].key for e in kb if e.catalog}
    for domain in EVERY_CODE_OF:
        codes = {k for k in catalog if k[0] == domain}
        assert codes, domain
        assert codes <= claims, (domain, sorted(codes - claims))


def test_undocumented_10985_has_an_entry_that_says_so(kb: list[Entry]) -> None:
    entry = next(e for e in kb if e.id == "urlsession-error-10985")
    assert "-10985" in entry.patterns
    assert "NSUnderlyingError" in entry.body


@pytest.mark.skipif(not SHARED_TOPICS.exists(), reason="shared topic list not beside the project")
def test_every_required_topic_has_an_entry(kb: list[Entry]) -> None:
    ids = {e.id for e in kb}
    slugs = [
        json.loads(line)["slug"] for line in SHARED_TOPICS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert [s for s in slugs if s not in ids] == []


async def test_own_questions_meet_the_bar(tmp_path: Path) -> None:
    cases = load_cases([HERE / "eval" / "questions.jsonl"])
    assert len(cases) >= 100
    store = SQLiteStore(tmp_path / "q.db")
    await store.open()
    try:
        engine = (await start_core(store, BUNDLED_KB)).engine
        report = evaluate(engine, cases)
    finally:
        await store.close()
    s = report.summary()
    assert s["offtopic"] >= 30
    assert s["top1"] >= 0.95, report.failures
    assert s["auto_reply_precision"] >= 0.99, report.failures
    assert s["auto_reply_coverage"] >= 0.65, report.failures
    assert s["offtopic_silence"] == 1.0, report.failures
