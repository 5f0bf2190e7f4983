"""A code that many subsystems return is posted unasked only in a message about networking.

EPERM, errSecItemNotFound and OSStatus -50 come from file systems, keychains and audio units as
much as from sockets; our entries give their networking meaning. Questions written for these tests,
on the bundled knowledge base.
"""

from __future__ import annotations

import pytest

from bot.domains import DomainTable
from bot.models import Mode

from .core import Bundled, decide_in, search_in


@pytest.mark.parametrize(
    "text",
    [
        "AudioUnitSetProperty hands back OSStatus -50 when I change the stream format on the mic input bus",
        'Error Domain=NSPOSIXErrorDomain Code=1 "Operation not permitted" when my sandboxed app saves '
        "a PDF into the Documents folder",
        "SecItemAdd works but the next SecItemCopyMatching says -25300 for my kSecClassGenericPassword item",
    ],
)
def test_a_general_code_in_another_subsystems_question_is_not_posted_unasked(bundled: Bundled, text: str) -> None:
    result = search_in(bundled, text)
    assert result.matches and result.matches[0].entry.id in result.off_subject
    assert not decide_in(bundled, text).auto_reply
    # Asked for, it is still answered: the code's meaning is right, only the question may be another's.
    assert decide_in(bundled, text, Mode.SLASH).matches[0].entry.id == result.matches[0].entry.id


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        # The same codes in networking messages: a subject word, or one inside a longer word.
        (
            'Error Domain=NSPOSIXErrorDomain Code=1 "Operation not permitted" when my sandboxed Mac app '
            "calls connect() to our server",
            "posix-1-eperm",
        ),
        ('GCDAsyncSocket wrapper: Error Domain=NSPOSIXErrorDomain Code=9 "Bad file descriptor"', "posix-9-ebadf"),
        # A TLS code is TLS's own whatever the message says around it.
        ("OSStatus -9806", "errssl-9806-closed-abort"),
    ],
)
def test_the_same_codes_about_networking_are_posted(bundled: Bundled, text: str, entry: str) -> None:
    result = search_in(bundled, text)
    assert not result.off_subject
    decision = decide_in(bundled, text)
    assert decision.auto_reply and decision.matches[0].entry.id == entry


def test_subject_words_count_whole_and_the_long_ones_inside_a_word() -> None:
    table = DomainTable((), {}, (), subject=frozenset({"tls", "socket", "wi fi"}))
    assert table.about_subject({"my", "tls", "cert"})
    assert table.about_subject({"gcdasyncsocket", "wrapper"})
    assert not table.about_subject({"atlsx", "sock", "et"})  # a short word only whole; no stem across tokens
    assert not table.about_subject({"wi", "fi"})  # a word of two never matches across two tokens
