"""Extraction's shortcuts give what the plain way gives, on fuzzed inputs.

Each test states the plain way and checks the fast one against it. (Kept apart from
test_shortcuts.py, which holds the ranking's.)
"""

from __future__ import annotations

import re
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from hypothesis import example, given, settings
from hypothesis import strategies as st

import bot.codescan as codescan_module
import bot.crash as crash_module
import bot.text as text_module
from bot.crash import CrashInfo
from bot.domains import load_domains
from bot.extract import _CONTROL_RE, _DOTTED_RE, BIG_TEXT, Extractor, clean_text, dotted_names
from bot.models import Attachment

DOMAINS = load_domains(Path(__file__).parent.parent / "knowledge" / "domains.toml")
EXTRACTOR = Extractor(DOMAINS, max_chars=300)

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


# Text with and without control characters, ASCII or not, around what a crash report starts with.
_CONTROL_PIECES = st.one_of(
    st.sampled_from(["\x00", "\x07", "\t", "\n", "\r", "\x0b", "\x1f", "\x7f", "\x80", "\ufffe", "\uffff", "é"]),
    st.sampled_from(["Exception Type:  EXC_CRASH (SIGABRT)\n", "Code=-1009 ", "a", " ", "日本"]),
    st.text(max_size=5),
)
_CONTROL_TEXT = st.lists(_CONTROL_PIECES, max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(_CONTROL_TEXT)
def test_clean_text_fast_path_removes_what_the_regex_removes(text: str) -> None:
    assert clean_text(text) == _CONTROL_RE.sub("", text)


@settings(max_examples=300, deadline=None)
@given(_CONTROL_TEXT, st.lists(_CONTROL_TEXT, max_size=2))
def test_prepare_gives_what_the_plain_join_and_clean_give(text: str, attached: list[str]) -> None:
    attachments = tuple(Attachment(f"a{k}.txt", t) for k, t in enumerate(attached))
    cleaned, notes, crash = EXTRACTOR.prepare(text, attachments)
    # The plain way: every non-empty part joined by newlines (a crash summary last), then cleaned.
    parts = [text, *attached, *([crash.summary_line()] if crash is not None else [])]
    joined = "\n".join(p for p in parts if p)
    plain = _CONTROL_RE.sub("", joined)
    assert len(plain) <= BIG_TEXT  # too short to fold
    assert cleaned == plain[: EXTRACTOR.max_chars]
    assert ("control characters were removed from the input" in notes) == (len(plain) != len(joined))
    source = len(text) + sum(len(t) for t in attached)
    assert EXTRACTOR.extract(text, attachments).source_chars == source


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


def test_each_crash_line_pattern_starts_at_a_line_with_its_literal() -> None:
    for regex, literal in crash_module._LEADING_LITERAL.items():
        assert regex.flags & re.MULTILINE
        parsed = list(sre_parse.parse(regex.pattern, regex.flags))
        assert parsed[0] == (sre_constants.AT, sre_constants.AT_BEGINNING)
        assert parsed[1 : 1 + len(literal)] == [(sre_constants.LITERAL, ord(c)) for c in literal]


def _plain_classic(text: str) -> CrashInfo:
    """crash._parse_classic as it was before its searches began at their literals."""
    info = CrashInfo()
    m = crash_module._EXC_TYPE_RE.search(text)
    if m:
        info.exception_type = m.group(1)
        info.signal = m.group(2) or ""
    m = crash_module._EXC_CODES_RE.search(text)
    if m:
        info.codes = m.group(1).strip()
    m = crash_module._ASI_RE.search(text)
    if m:
        info.extra.append(m.group(1).strip())
    m = crash_module._TERMINATION_RE.search(text)
    if m:
        info.extra.append(m.group(1).strip())
    m = crash_module._TRIGGERED_RE.search(text) or crash_module._CRASHED_RE.search(text)
    if m:
        thread = m.group(1)
        name = re.search(rf"^Thread {thread} name:\s+(.{{1,200}})$", text, re.MULTILINE)
        if name:
            info.queue = name.group(1).removeprefix("Dispatch queue:").strip()
        block = re.search(rf"^Thread {thread} Crashed:.*$", text, re.MULTILINE)
        if block:
            lines = text[block.end() :].lstrip("\n").split("\n", crash_module.TOP_FRAMES + 1)
            for line in lines[: crash_module.TOP_FRAMES]:
                fm = crash_module._FRAME_RE.match(line.strip())
                if not fm:
                    break
                symbol = re.sub(r"\s+\+\s+\d+$", "", fm.group(2)).strip()
                info.frames.append(symbol if not symbol.startswith("0x") else fm.group(1))
    return info


_CRASH_PIECES = st.sampled_from(
    [
        "Exception Type:  EXC_BAD_ACCESS (SIGSEGV)",
        "Exception Type: EXC_CRASH",
        "Exception Codes: 0x1, 0x28",
        "Application Specific Information:\nabort() called",
        "Termination Reason: Namespace SIGNAL, Code 6",
        "Triggered by Thread:  1",
        "Thread 0 Crashed:",
        "Thread 1 Crashed:: Dispatch queue: q",
        "Thread 1 name:  Dispatch queue: com.apple.network",
        "Thread 0 name: main",
        "0   libnetwork.dylib  0x00000001a2b3c4d5 nw_connection_start + 12",
        "1   MyApp  0x0000000100abc000 0x100000000 + 700",
        "\n",
        "\n",
        " ",
        "x",
        "Thread ",
        "\u0663",
    ]
)


@settings(max_examples=500, deadline=None)
@example("xException Type: A\nException Type: B (SIGBUS)\nThread 2 Crashed:\nThread 1 Crashed:\n0 a 0x1 f")
@given(st.lists(_CRASH_PIECES, max_size=25).map("".join))
def test_classic_crash_searches_begun_at_their_literals_find_what_plain_searches_find(text: str) -> None:
    assert crash_module._parse_classic(text) == _plain_classic(text)


def test_a_name_read_back_by_regex_takes_the_characters_isalnum_takes() -> None:
    back = codescan_module._NAME_BACK_RE
    assert all((back.fullmatch(c) is not None) == (c.isalnum() or c in "_.") for c in map(chr, range(0x110000)))


class _PlainScan(codescan_module.CodeScan):
    """explicit_domains as it was, reading a domain name back a character at a time."""

    def explicit_domains(self) -> None:
        text, names = self.text, self.names
        for m in codescan_module._scan(codescan_module._ERROR_DOMAIN_RE, text):
            domain = names.canonical(m.group(1)) or m.group(1)
            self.add(domain, int(m.group(2)), "explicit", self.is_underlying(m.start()), m.start(2), m.group(0))
        for m in codescan_module._scan(codescan_module._ANY_DOMAIN_RE, text):
            name_start, floor = m.start(), max(0, m.start() - codescan_module.DOMAIN_NAME_MAX)
            while name_start > floor and (text[name_start - 1].isalnum() or text[name_start - 1] in "_."):
                name_start -= 1
            name = text[name_start : m.start()] + "ErrorDomain"
            domain = names.canonical(name) or name
            snippet = text[name_start : m.end()]
            self.add(domain, int(m.group(1)), "explicit", self.is_underlying(name_start), m.start(1), snippet)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ErrorDomain",
                " ",
                "=",
                "-1",
                "9",
                "NSURL",
                "k.CF",
                "_",
                "é",
                "\u0663",
                "-",
                "\n",
                "x" * 70,
                "NSUnderlyingError=",
            ]
        ),
        max_size=20,
    ).map("".join)
)
def test_domain_names_read_back_by_regex_are_the_ones_read_a_character_at_a_time(text: str) -> None:
    fast, plain = codescan_module.CodeScan(text, EXTRACTOR), _PlainScan(text, EXTRACTOR)
    fast.explicit_domains()
    plain.explicit_domains()
    assert fast.found == plain.found


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["NSUnderlyingError", "=", "0x6000", " ", "\n", "{", "(", '"', "x", "Error Domain=A Code=1"]),
        max_size=12,
    ).map("".join),
    st.integers(0, 200),
)
@example("NSUnderlyingError====  0x" + "F" * 16 + "  {{{{\n", 48)  # 48 long: $ before the last newline
def test_underlying_checked_within_bounds_is_the_check_on_a_slice(text: str, start: int) -> None:
    start = min(start, len(text))
    plain = bool(codescan_module._UNDERLYING_RE.search(text[max(0, start - 48) : start]))
    assert codescan_module.CodeScan(text, EXTRACTOR).is_underlying(start) == plain


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Error Domain=", "ErrorDomain", "_kCFStreamErrorCodeKey", "[", "]", ": [", "error ", "0x"])
        | st.sampled_from(["-", "=", ":", " ", "1", "12", "-9806", "POSIX", "Code", "FFFFD9AB", "x", "\n", "("]),
        max_size=25,
    ).map("".join)
)
def test_a_scan_skipped_without_its_literal_reads_what_the_patterns_read(text: str) -> None:
    found = [v for v in vars(codescan_module).values() if isinstance(v, codescan_module._LiteralFirst)]
    for regex in found:
        plain = sorted((m.span() for p in regex.patterns for m in p.finditer(text)), key=lambda span: span[0])
        assert [m.span() for m in codescan_module._scan(regex, text)] == plain


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 09\n\u0663\u00b2\uff11é-"), max_size=20))
def test_digits_found_by_deleting_them_are_the_ones_the_regex_finds(text: str) -> None:
    assert text_module.has_digit(text) == (text_module._DIGIT_RE.search(text) is not None)
    assert all(text_module.has_digit(chr(c)) == chr(c).isdecimal() for c in range(128))
