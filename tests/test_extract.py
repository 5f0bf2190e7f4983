"""Extraction of error keys in every form people paste (examples written for these tests)."""

from __future__ import annotations

import random
import re
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

import bot.codescan as codescan_module
import bot.extract as extract_module
from bot.codescan import BARE, EXPLICIT, MARKED, MAX_CODES, STREAM
from bot.domains import load_domains
from bot.extract import Extractor, clean_text, looks_binary
from bot.fold import LONG_LINE, fold_repeats
from bot.models import Attachment

DOMAINS = load_domains(Path(__file__).parent.parent / "knowledge" / "domains.toml")


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor(DOMAINS, max_chars=100_000)


def keys(ex: Extractor, text: str) -> set[tuple[str | None, int]]:
    return {(f.domain, f.code) for f in ex.extract(text).codes}


def test_error_domain_code(ex: Extractor) -> None:
    found = ex.extract(
        'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'
    ).codes
    assert [(f.domain, f.code, f.form, f.underlying) for f in found] == [("NSURLErrorDomain", -1009, EXPLICIT, False)]


def test_domain_then_error_word(ex: Extractor) -> None:
    assert ("NSURLErrorDomain", -1001) in keys(ex, "got NSURLErrorDomain error -1001 after 60s")


def test_code_without_domain_is_marked(ex: Extractor) -> None:
    found = ex.extract("request failed, Code=-1200").codes
    assert [(f.domain, f.code, f.form) for f in found] == [(None, -1200, MARKED)]


def test_bare_negative_number(ex: Extractor) -> None:
    found = ex.extract("alamofire keeps giving me -1005 on cellular").codes
    assert [(f.domain, f.code, f.form) for f in found] == [(None, -1005, BARE)]


@pytest.mark.parametrize(
    "text",
    [
        # How Swift prints a POSIXErrorCode with no case name, alone and inside NWError.
        "send failed: POSIXErrorCode(rawValue: 40): Message too long",
        "state: waiting(.posix(POSIXErrorCode(rawValue: 40)))",
        "POSIXErrorCode: 40",
    ],
)
def test_swifts_raw_value_form_names_the_code(ex: Extractor, text: str) -> None:
    assert [(f.domain, f.code) for f in ex.extract(text).codes] == [("NSPOSIXErrorDomain", 40)]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("users on cellular get -1020. Can I detect that?", [-1020]),  # a sentence ends after the code
        ("it fails with -1005.", [-1005]),
        ("offset -1020.5 ms", []),  # a decimal is no code
        ("build -1234.56b", []),
    ],
)
def test_a_bare_code_may_end_a_sentence(ex: Extractor, text: str, codes: list[int]) -> None:
    assert [f.code for f in ex.extract(text).codes if f.form == BARE] == codes


def test_osstatus(ex: Extractor) -> None:
    assert ("NSOSStatusErrorDomain", -9806) in keys(ex, "SSLHandshake returned OSStatus -9806")


def test_hex_is_signed_32_bit(ex: Extractor) -> None:
    found = ex.extract("SecTrustEvaluate failed with 0xFFFFD9AB").codes
    assert [(f.code, f.form) for f in found] == [(-9813, BARE)]


def test_hex_pointer_is_not_a_code(ex: Extractor) -> None:
    assert keys(ex, "EXC_BAD_ACCESS (code=1, address=0x28) at 0x000000010234abcd") == set()


def test_cfstream_ssl_domain_and_code(ex: Extractor) -> None:
    assert ("NSOSStatusErrorDomain", -9813) in keys(ex, "HTTP load failed (kCFStreamErrorDomainSSL, -9813)")


def test_stream_keys_pair_up(ex: Extractor) -> None:
    text = "UserInfo={_kCFStreamErrorCodeKey=-9816, NSErrorFailingURLKey=https://x.test/, _kCFStreamErrorDomainKey=3}"
    found = [f for f in ex.extract(text).codes if f.code == -9816]
    assert [(f.domain, f.form, f.underlying) for f in found] == [("NSOSStatusErrorDomain", STREAM, True)]


def test_cfnetwork_task_bracket(ex: Extractor) -> None:
    text = "Task <1A2B>.<3> HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])"
    got = {(f.domain, f.code, f.underlying) for f in ex.extract(text).codes}
    assert (None, -1200, False) in got
    assert ("NSOSStatusErrorDomain", -9816, True) in got


def test_posix_forms(ex: Extractor) -> None:
    posix = "NSPOSIXErrorDomain"
    assert (posix, 61) in keys(ex, "nw_socket_handle_socket_event [C3.1:2] Socket SO_ERROR [61: Connection refused]")
    assert (posix, 54) in keys(ex, "read failed errno 54")
    assert (posix, 50) in keys(ex, "nw_connection_copy_connected_path [C2] failed [POSIX 50]")
    assert (posix, 1) in keys(ex, "connectx failed (fd 9, 10.0.0.1:443 stream): [1] Operation not permitted")
    assert (posix, 61) in keys(ex, "TCP Conn 0x600 Failed : error 0:61 [61]")


def test_nested_underlying_error_is_marked(ex: Extractor) -> None:
    text = (
        'Error Domain=NSURLErrorDomain Code=-1009 "offline" UserInfo={NSUnderlyingError=0x600001 '
        '{Error Domain=kCFErrorDomainCFNetwork Code=-1009 "(null)" UserInfo={_kCFStreamErrorCodeKey=50, '
        "_kCFStreamErrorDomainKey=1}}}"
    )
    found = {(f.domain, f.code, f.underlying) for f in ex.extract(text).codes}
    assert ("NSURLErrorDomain", -1009, False) in found
    assert ("kCFErrorDomainCFNetwork", -1009, True) in found
    assert ("NSPOSIXErrorDomain", 50, True) in found


def test_json_style_domain_key(ex: Extractor) -> None:
    assert ("NSNetServicesErrorDomain", -72008) in keys(
        ex, '{"NSNetServicesErrorCode":-72008,"NSNetServicesErrorDomain":10}'
    )


def test_network_framework_enum(ex: Extractor) -> None:
    assert ("kNWErrorDomainDNS", -65554) in keys(ex, "browser failed: dns(-65554)")


def test_dates_and_versions_are_not_codes(ex: Extractor) -> None:
    assert keys(ex, "since 2024-05-01 on iOS 17.4 (21E219), port 8080") == set()


def test_symbols_and_identifiers_are_tokens(ex: Extractor) -> None:
    tokens = ex.extract("NWError.posix(.ECONNREFUSED) in my NETransparentProxyProvider, errSSLPeerBadCert").tokens
    assert {"ECONNREFUSED", "NETransparentProxyProvider", "errSSLPeerBadCert"} <= tokens


def test_crash_attachment_adds_signatures(ex: Extractor) -> None:
    crash = (
        "Exception Type:  EXC_BAD_ACCESS (SIGSEGV)\nException Codes: KERN_INVALID_ADDRESS at 0x28\n"
        "Triggered by Thread:  4\n\nThread 4 name:  Dispatch queue: NEFlow queue\nThread 4 Crashed:\n"
        "0   libswiftCore.dylib  0x00000001a1b2c3d4 swift_release + 32\n"
    )
    result = ex.extract("my dns proxy crashes", (Attachment("x.crash", crash),))
    assert result.crash is not None
    assert result.crash.queue == "NEFlow queue"
    assert "crashed queue: nefloW queue".lower() in result.lowered


def test_input_over_the_limit_is_cut_with_a_note() -> None:
    small = Extractor(DOMAINS, max_chars=1000)
    result = small.extract("x" * 5000)
    assert len(result.text) == 1000
    assert any("cut" in n for n in result.notes)


def test_control_characters_are_removed_with_a_note(ex: Extractor) -> None:
    result = ex.extract("Code=-1009\x00\x07 offline\x1b[0m")
    assert "\x00" not in result.text and "\x1b" not in result.text
    assert any("control characters" in n for n in result.notes)
    assert clean_text("a\tb\nc") == "a\tb\nc"


def test_binary_detection() -> None:
    assert looks_binary(b"\x00\x01\x02PK\x03\x04")
    assert looks_binary(bytes(range(256)) * 8)
    assert not looks_binary(b"Code=-1009 offline\n" * 400 + b"\x00")  # a stray NUL in a long log
    assert not looks_binary("Error Domain=NSURLErrorDomain Code=-1009 — ünïcode".encode())


def _unbounded_repeats(tree: Any, inside: bool = False) -> list[str]:
    """Nested unbounded repeats (like (a+)+), the shape that backtracks catastrophically."""
    found = []
    for op, arg in tree:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _low, high, sub = arg
            unbounded = high == sre_constants.MAXREPEAT
            if unbounded and inside:
                found.append(str(tree))
            found += _unbounded_repeats(sub, inside or unbounded)
        elif name == "SUBPATTERN":
            found += _unbounded_repeats(arg[-1], inside)
        elif name == "BRANCH":
            for branch in arg[1]:
                found += _unbounded_repeats(branch, inside)
        elif name in ("ASSERT", "ASSERT_NOT"):
            found += _unbounded_repeats(arg[1], inside)
    return found


def test_no_regex_can_backtrack_catastrophically() -> None:
    patterns = []
    for value in [*vars(extract_module).values(), *vars(codescan_module).values()]:
        if isinstance(value, re.Pattern):
            patterns.append(value.pattern)
        elif isinstance(value, codescan_module._LiteralFirst):
            patterns += [p.pattern for p in value.patterns]
    assert len(patterns) > 15
    offenders = [p for p in patterns if _unbounded_repeats(sre_parse.parse(p))]
    assert offenders == []
    # The check itself catches the classic shape.
    assert _unbounded_repeats(sre_parse.parse(r"(a+)+$"))


def test_adversarial_inputs_are_read(ex: Extractor) -> None:
    # Long runs that almost match each pattern: read without error (linearity is structural,
    # checked above; speed is measured in bench/).
    for text in [
        "Error Domain=" + "A" * 50_000,
        "NSURLErrorDomain" + " " * 50_000 + "x",
        "[" + "1" * 50_000,
        "_kCFStreamErrorCodeKey=" * 5_000,
        "-" * 50_000 + "1",
        "NSUnderlyingError" + "=" * 30_000,
    ]:
        # None of them names a code: a near miss must not be read as one.
        assert list(ex.extract(text).codes) == [], text[:30]


def test_stream_code_pairs_with_the_nearest_domain_key(ex: Extractor) -> None:
    first = "{_kCFStreamErrorDomainKey=3, _kCFStreamErrorCodeKey=-9816}"
    second = "{_kCFStreamErrorCodeKey=50, _kCFStreamErrorDomainKey=1}"
    found = {(f.domain, f.code) for f in ex.extract(first + " " * 200 + second).codes}
    assert {("NSOSStatusErrorDomain", -9816), ("NSPOSIXErrorDomain", 50)} <= found


def test_repeated_lines_are_read_once_with_a_note(ex: Extractor) -> None:
    line = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."\n'
    result = ex.extract(line * 12_000)
    assert [(f.domain, f.code) for f in result.codes] == [("NSURLErrorDomain", -1009)]
    assert len(result.text) < 1000
    assert result.pasted_log  # still a pasted log: the ranking's log rules apply
    assert any("repeated lines" in n for n in result.notes)


def test_one_code_repeated_on_one_line_is_one_reading(ex: Extractor) -> None:
    result = ex.extract("0xFFFFD9AB " * 100_000 + "\nOSStatus -9806")
    assert sorted(f.code for f in result.codes) == [-9813, -9806]


def test_codes_per_message_are_bounded(ex: Extractor) -> None:
    text = " ".join(f"Code={-n}" for n in range(1, 60_000))
    codes = ex.extract(text).codes
    assert len(codes) == MAX_CODES
    assert len({(f.domain, f.code, f.form, f.underlying) for f in codes}) == MAX_CODES


def test_context_across_folded_windows_is_kept(ex: Extractor) -> None:
    # A long line is read in overlapping windows: a code beside its domain stays beside it.
    filler = "word " * 30_000
    result = ex.extract(filler + "Error Domain=kCFErrorDomainCFNetwork Code=-1200 " + filler)
    assert ("kCFErrorDomainCFNetwork", -1200) in {(f.domain, f.code) for f in result.codes}


def test_a_long_line_of_distinct_words_folds_to_itself() -> None:
    # Neighbouring new windows are written as one run: nothing is lost and nothing is written
    # twice, so a line of distinct codes costs every later scan its own length, not a third more.
    words = [f"Code={-n}" for n in range(1, 20_000)]
    assert fold_repeats("\t".join(words)) == " ".join(words)
    # A repeat inside the line is still dropped, and what surrounds it still stands whole.
    unit = " ".join(f"w{k}" for k in range(64))
    line = "start Error Domain=NSURLErrorDomain Code=-1009 " + (unit + " ") * 200 + "end Code=-1200 x"
    assert len(line) > LONG_LINE
    folded = fold_repeats(line)
    assert len(folded) < len(line) // 20
    assert "Error Domain=NSURLErrorDomain Code=-1009" in folded and "end Code=-1200 x" in folded
    assert set(folded.split()) == set(line.split())


def test_non_ascii_log_words_split_on_unicode_punctuation(ex: Extractor) -> None:
    lines = "".join(f"{i} 连接失败：未能找到使用指定主机名的服务器。 café\n" for i in range(5_000))
    tokens = ex.extract(lines).lowered_tokens
    assert {"未能找到使用指定主机名的服务器", "连接失败", "café"} <= tokens


def test_random_unicode_log_is_read() -> None:
    rng = random.Random(9)
    text = "".join(chr(rng.randrange(0x20, 0xD7FF)) for _ in range(150_000)) + "\udcff Code=-1009"
    result = Extractor(DOMAINS).extract(text)
    assert (None, -1009) in {(f.domain, f.code) for f in result.codes}
