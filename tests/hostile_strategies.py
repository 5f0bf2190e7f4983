"""Hypothesis strategies for hostile input, shared by the property tests and ``bench/fuzz.py``.

Each strategy builds text of a shape real pastes take (error lines, NSError dumps, crash
reports) and then breaks it: numbers and domain names mutated, control characters, lone
surrogates and deep nesting mixed in.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

# Every code point, lone surrogates included (Python strings may hold them; UTF-8 may not).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
CONTROL = st.sampled_from([chr(c) for c in (*range(0x20), 0x7F, 0x85, 0x2028, 0x202E, 0xFEFF, 0xFFFE, 0xFFFF)])
UNICODE_TEXT = st.text(st.one_of(ANY_CHAR, CONTROL), max_size=300)

DOMAINS = st.sampled_from(
    [
        "NSURLErrorDomain",
        "kCFErrorDomainCFNetwork",
        "NSPOSIXErrorDomain",
        "NSOSStatusErrorDomain",
        "NEVPNErrorDomain",
        "NSCocoaErrorDomain",
        "kNWErrorDomainPOSIX",
        "SKErrorDomain",
    ]
)
MUTATED_DOMAIN = st.one_of(
    DOMAINS,
    st.tuples(DOMAINS, st.text(st.one_of(ANY_CHAR, CONTROL), max_size=4)).map("".join),
    st.text(st.sampled_from("NSURLErrorDomain.\\_\u0130\u212a"), max_size=30),
)
NUMBERS = st.one_of(
    st.integers(-20_000, 20_000),
    st.integers(),
    st.sampled_from([-1009, -1200, -9816, -9813, 0, 61, 2**31, -(2**31), 2**63, 10**30]),
).map(str)
SEPARATORS = st.sampled_from([" ", "=", ": ", " Code=", " error ", " code: ", "\n", "\t", "", "=\u00a0", " #"])


@st.composite
def error_line(draw: st.DrawFn) -> str:
    """One error line in one of the forms logs print, with its parts mutated."""
    domain, number, sep = draw(MUTATED_DOMAIN), draw(NUMBERS), draw(SEPARATORS)
    form = draw(st.integers(0, 7))
    if form == 0:
        return f'Error Domain={domain} Code={number} "{draw(UNICODE_TEXT)}"'
    if form == 1:
        return f"{domain}{sep}{number}"
    if form == 2:
        return f"_kCFStreamErrorDomainKey={draw(NUMBERS)}, _kCFStreamErrorCodeKey={number}"
    if form == 3:
        return f"HTTP load failed (error code: {number} [{draw(NUMBERS)}:{number}])"
    if form == 4:
        return f"0x{abs(int(number)) % 2**64:X} OSStatus {number} errno {number} posix({number})"
    if form == 5:
        return f"nw_socket_handle_socket_event [C{number}:2] Socket SO_ERROR [{number}: {draw(UNICODE_TEXT)}]"
    if form == 6:
        return f"Exception Type:  EXC_{draw(UNICODE_TEXT)} (SIG{number})\nThread {number} Crashed:"
    return f"{number}{sep}{domain}"


@st.composite
def pasted_log(draw: st.DrawFn) -> str:
    """Error lines among timestamps and noise, some repeated, with control characters spliced in."""
    lines = draw(st.lists(st.one_of(error_line(), UNICODE_TEXT), max_size=25))
    repeat = draw(st.integers(1, 40))
    stamp = "2026-01-02 03:04:05.678 App[1:2] "
    text = "\n".join(stamp + line for line in lines) * repeat
    if text and draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(CONTROL, max_size=5)) + text[at:]
    return text


def _wrap(inner: str, number: str, domain: str) -> str:
    return f"Error Domain={domain} Code={number} UserInfo={{NSUnderlyingError=0x600 {{{inner}}}}}"


UNDERLYING = st.recursive(
    error_line(),
    lambda inner: st.builds(_wrap, inner, NUMBERS, MUTATED_DOMAIN),
    max_leaves=30,
)


@st.composite
def crash_json(draw: st.DrawFn) -> str:
    """An .ips header and body: sometimes well formed, sometimes nested far too deep or cut off."""
    header = json.dumps({"bug_type": draw(st.sampled_from(["309", "385", "x"])), "app_name": draw(UNICODE_TEXT)})
    depth = draw(st.one_of(st.integers(0, 10), st.integers(60, 70), st.integers(900, 3000)))
    opener = draw(st.sampled_from(["[", '{"a":', '{"threads":[', "[[],"]))
    closer = {"[": "]", '{"a":': "}", '{"threads":[': "]}", "[[],": "]"}[opener]
    body = {
        "exception": {"type": draw(UNICODE_TEXT), "signal": draw(UNICODE_TEXT), "codes": draw(NUMBERS)},
        "faultingThread": draw(st.integers(-5, 5)),
        "threads": [{"triggered": draw(st.booleans()), "frames": [{"symbol": draw(UNICODE_TEXT), "imageIndex": 0}]}],
        "usedImages": draw(st.one_of(st.just([{"name": "Network"}]), st.none(), st.just("x"))),
    }
    nested = opener * depth + json.dumps(body, ensure_ascii=draw(st.booleans())) + closer * depth
    if draw(st.booleans()):
        nested = nested[: draw(st.integers(0, len(nested)))]
    return header + draw(st.sampled_from(["\n", "", "\r\n"])) + nested


HOSTILE_TEXT = st.one_of(UNICODE_TEXT, error_line(), pasted_log(), UNDERLYING, crash_json())
