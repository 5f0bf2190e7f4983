"""Property tests: any text, however odd, is read without error and scored within bounds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domains import load_domains
from bot.engine import Engine
from bot.extract import Extractor

from .core import FIXTURE_KB

_DOMAINS = load_domains(FIXTURE_KB / "domains.toml")
_KNOWN = {d.name for d in _DOMAINS.domains}

# Text built from the pieces real pastes are made of, so the search space hits the parsers.
PIECES = st.sampled_from(
    [
        "Error Domain=",
        "NSURLErrorDomain",
        " Code=",
        "-1009",
        "[3:-9816]",
        "_kCFStreamErrorDomainKey=",
        "_kCFStreamErrorCodeKey=",
        "NSUnderlyingError=0x6000 {",
        "0xFFFFD9AB",
        "OSStatus ",
        "errno ",
        "[61: Connection refused]",
        "posix(",
        ")",
        "EXC_BAD_ACCESS",
        "NEFlow queue",
        "\n",
        " ",
        "{",
        '"exception":',
        "Exception Type:  ",
        "Thread 1 Crashed:",
        "未能找到",
        "\x00",
        "\u202e",
    ]
)
TEXT = st.one_of(st.text(max_size=400), st.lists(PIECES, max_size=40).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_extraction_never_fails(text: str) -> None:
    ex = Extractor(_DOMAINS).extract(text)
    assert "\x00" not in ex.text
    for found in ex.codes:
        # A code is read from digits in the text: it fits the 64-bit range the store keeps, and
        # a named domain is one the domain table knows (or the text spells out).
        assert -(2**63) <= found.code < 2**63
        assert found.domain is None or found.domain in _KNOWN or found.domain in text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_search_scores_are_bounded_and_sorted(engine: Engine, text: str) -> None:
    result = engine.search(text)
    confidences = [m.confidence for m in result.matches]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)
    assert all(m.why for m in result.matches)
