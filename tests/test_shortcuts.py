"""Shortcuts taken for speed give what the plain way gives, on fuzzed inputs.

Each test here states the plain way in a few lines and checks the fast one against it.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import bot.codescan as codescan_module
from bot.domains import load_domains
from bot.extract import Extractor

DOMAINS = load_domains(Path(__file__).parent.parent / "knowledge" / "domains.toml")
EXTRACTOR = Extractor(DOMAINS)
_ALIASES = sorted(EXTRACTOR.aliases)
# Pieces a paste is made of: aliases as written, in other cases, glued to words, and code-like bits.
_PIECES = st.one_of(
    st.sampled_from(_ALIASES),
    st.sampled_from(_ALIASES).map(str.lower),
    st.sampled_from(_ALIASES).map(str.upper),
    st.sampled_from(["Code=", "-1009", " ", "\n", ".", "_", "x", "Error Domain=", "[3:-9806]", "0x", "(", ":"]),
    st.text(alphabet="aZ_9.-: ", max_size=6),
)


def _plain_mentions(ex: Extractor, text: str, tokens: set[str], lowered: set[str]) -> list[tuple[int, int, str]]:
    """What Extractor.alias_mentions gave when it looked at every alias."""
    present = [a for a, low in ex._plain_lowered if a in tokens or (low in lowered and a in text)]
    present += [a for a in ex._dotted_aliases if a in text]
    out = []
    for alias in present:
        pos = text.find(alias)
        while pos != -1:
            end = pos + len(alias)
            before = text[pos - 1] if pos else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_"):
                out.append((pos, end, alias))
            pos = text.find(alias, end)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_alias_mentions_found_through_the_tokens_are_every_alias_checked(text: str) -> None:
    tokens = set(re.findall(r"\w+", text))
    lowered = {t.lower() for t in tokens}
    assert EXTRACTOR.alias_mentions(text, tokens, lowered) == _plain_mentions(EXTRACTOR, text, tokens, lowered)
    # A pasted log's tokens are lowercase already, and the same set is passed twice.
    assert EXTRACTOR.alias_mentions(text, lowered, lowered) == _plain_mentions(EXTRACTOR, text, lowered, lowered)


def test_alias_mentions_keep_the_plain_order_when_several_are_named() -> None:
    # Few words (the message's side is walked) and many (the aliases' side is walked).
    for named in (_ALIASES[::7], _ALIASES[3::11], _ALIASES):
        text = " ".join(reversed(named)) + " " + " ".join(a.lower() for a in named)
        tokens = set(re.findall(r"\w+", text))
        lowered = {t.lower() for t in tokens}
        found = EXTRACTOR.alias_mentions(text, tokens, lowered)
        assert len(found) > 5
        assert found == _plain_mentions(EXTRACTOR, text, tokens, lowered)


def _single_patterns() -> list[codescan_module._LiteralFirst]:
    found = [v for v in vars(codescan_module).values() if isinstance(v, codescan_module._LiteralFirst)]
    single = [v for v in found if v.single is not None]
    assert len(single) >= 10
    return single


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Error Domain=", "ErrorDomain", "_kCFStreamErrorCodeKey", "[", "]", ": [", "error ", "0x"])
        | st.sampled_from(["-", "=", ":", " ", "1", "12", "-9806", "Posix", "Ab", "FFFFD9AB", "x", "\n"]),
        max_size=25,
    ).map("".join)
)
def test_a_pattern_not_started_without_its_literal_finds_what_it_would(text: str) -> None:
    for regex in _single_patterns():
        assert [m.span() for m in regex.finditer(text)] == [m.span() for m in regex.patterns[0].finditer(text)]
