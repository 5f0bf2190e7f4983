"""Extraction's shortcuts give what the plain way gives, on fuzzed inputs.

Each test states the plain way and checks the fast one against it. (Kept apart from
test_shortcuts.py, which holds the ranking's.)
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

import bot.codescan as codescan_module
from bot.extract import _DOTTED_RE, dotted_names

# Pieces of text around dotted names: words of every length (the regex reads at most 60 word
# characters a part), digits and non-ASCII letters a match may not start with, and whitespace
# of every kind str.split() splits on.
_DOTTED_PIECES = st.one_of(
    st.sampled_from([".", "..", "_", "a", "Zz", "9", "é", "日本", "x" * 59, "y" * 61, "NSURLError", "Code"]),
    st.sampled_from([" ", "\n", "\t", "\x1c", "\x85", "\xa0", "\u3000", "\u2028", "-", "(", "/", "\x00"]),
    st.text(alphabet="ab_.9 é", max_size=8),
)


@settings(max_examples=500, deadline=None)
@example("a." + "b" * 70 + ".c x9y.z")
@example("\u3000a.b\x85c.d\xa0e.f.g.h.i.j")
@given(st.lists(_DOTTED_PIECES, max_size=40).map("".join))
def test_dotted_names_read_in_chunks_are_the_regex_matches(text: str) -> None:
    assert dotted_names(text) == _DOTTED_RE.findall(text)


def test_no_whitespace_character_can_be_part_of_a_dotted_name() -> None:
    # dotted_names splits where str.split() does; a match holds only \w and ".".
    part = re.compile(r"[\w.]")
    splitting = [c for c in map(chr, range(0x110000)) if len(f"a{c}b".split()) != 1]
    assert len(splitting) > 20
    assert all(part.match(c) is None for c in splitting)


def _several_patterns() -> list[codescan_module._LiteralFirst]:
    found = [v for v in vars(codescan_module).values() if isinstance(v, codescan_module._LiteralFirst)]
    several = [v for v in found if v.single is None]
    assert len(several) >= 4
    return several


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["POSIX", "posix", "errno", "Errno", "OSStatus", "status", "Status", "posix(", "dns(", "tls("])
        | st.sampled_from(["Code", "code", "error", "Error", "err", " ", "=", ":", "-", "12", "-9806", "(", ")", "#"]),
        max_size=25,
    ).map("".join)
)
def test_patterns_merged_only_when_several_literals_are_present(text: str) -> None:
    for regex in _several_patterns():
        merged = sorted(
            (m.span() for p in regex.patterns for m in p.finditer(text)),
            key=lambda span: span[0],
        )
        assert [m.span() for m in regex.finditer(text)] == merged
