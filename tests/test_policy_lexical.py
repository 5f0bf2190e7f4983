"""Prose questions whose words single out one curated entry are answered unasked, within bounds.

Questions written for these tests, on the bundled knowledge base.
"""

from __future__ import annotations

import pytest

from bot.domains import load_domains
from bot.extract import Extractor
from bot.index import Index
from bot.knowledge.tree import read_knowledge
from bot.models import ChannelSettings, Mode
from bot.policy import Policy, decide
from bot.rank import SearchResult, search

from .core import BUNDLED_KB

WIFI_AWARE = (
    "How do I pair two iPhones over Wi-Fi Aware, and which entitlement does iOS 26 want before devices show up?"
)


@pytest.fixture(scope="module")
def bundled() -> tuple[Index, Extractor]:
    domains = load_domains(BUNDLED_KB / "domains.toml")
    return Index(read_knowledge(BUNDLED_KB).entries, domains), Extractor(domains)


def _search(bundled: tuple[Index, Extractor], text: str) -> SearchResult:
    index, extractor = bundled
    return search(index, extractor.extract(text))


def test_a_prose_question_far_ahead_on_words_is_answered_unasked(bundled: tuple[Index, Extractor]) -> None:
    result = _search(bundled, WIFI_AWARE)
    assert result.matches[0].confidence < Policy().auto_threshold  # words alone: below the usual bar
    d = decide(result, Mode.AUTO, Policy())
    assert d.auto_reply and [m.entry.id for m in d.matches] == ["wifi-aware-ios26"]


def test_the_lead_is_required(bundled: tuple[Index, Extractor]) -> None:
    strict = Policy(lexical_lead=50.0, lexical_phrase_lead=50.0)
    assert not decide(_search(bundled, WIFI_AWARE), Mode.AUTO, strict).auto_reply


def test_a_channel_with_a_raised_bar_gets_no_word_only_auto_replies(bundled: tuple[Index, Extractor]) -> None:
    channel = ChannelSettings(threshold=0.9)
    assert not decide(_search(bundled, WIFI_AWARE), Mode.AUTO, Policy(), channel).auto_reply


@pytest.mark.parametrize(
    "text",
    [
        # Another framework's API names the knowledge base never mentions.
        "Core Data crash: EXC_BAD_ACCESS in NSManagedObjectContext save from PersistenceController on a background queue",
        # A code of a domain this knowledge base does not cover.
        WIFI_AWARE + " Also seeing Error Domain=SKErrorDomain Code=2 in the store.",
    ],
)
def test_signs_of_another_subject_keep_word_matches_silent(bundled: tuple[Index, Extractor], text: str) -> None:
    assert not decide(_search(bundled, text), Mode.AUTO, Policy()).auto_reply
