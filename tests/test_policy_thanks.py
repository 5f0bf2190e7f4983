"""A thank-you that names the error it solved closes a thread: it is not answered unasked."""

from __future__ import annotations

import pytest

from bot.models import Mode
from bot.policy import says_thanks

from .core import Bundled, decide_in

SOLVED = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'


def test_the_error_alone_is_answered_unasked(bundled: Bundled) -> None:
    assert decide_in(bundled, SOLVED).auto_reply


@pytest.mark.parametrize("opening", ["thanks, that was it:", "Thank you!! the", "thx, fixed", "Many thanks -"])
def test_a_thank_you_naming_it_is_not(bundled: Bundled, opening: str) -> None:
    text = f"{opening} {SOLVED} was the simulator's host being offline"
    assert says_thanks(text)
    assert not decide_in(bundled, text).auto_reply
    assert decide_in(bundled, text, Mode.SLASH).matches  # asked for, it is still answered


@pytest.mark.parametrize(
    "text",
    [
        f"thanks! but now I get {SOLVED} on cellular, why?",  # it asks again
        f"Thanksgiving traffic: {SOLVED}",  # not the word thanks
        f"thanks in advance: {SOLVED} " + "and a long story of what I tried. " * 10,  # a question, told at length
    ],
)
def test_a_message_that_only_starts_like_one_is_not_a_thank_you(text: str) -> None:
    assert not says_thanks(text)
