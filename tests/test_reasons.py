"""A match's reasons are written when first read, once, and behave as the tuple they replace."""

from __future__ import annotations

from bot.reasons import Reasons

from .core import Bundled, search_in


def test_reasons_are_made_once_on_first_read() -> None:
    calls: list[int] = []

    def make() -> list[str]:
        calls.append(1)
        return ["error NSURLErrorDomain -1009 from '-1009'", "words offline (score 3.0)"]

    reasons = Reasons(make)
    assert calls == []
    assert reasons[0].startswith("error") and len(reasons) == 2
    assert list(reasons[:1]) == ["error NSURLErrorDomain -1009 from '-1009'"]
    assert reasons == ("error NSURLErrorDomain -1009 from '-1009'", "words offline (score 3.0)")
    assert hash(reasons) == hash(tuple(reasons))
    assert calls == [1]


def test_a_search_leaves_its_reasons_unwritten_until_asked(bundled: Bundled) -> None:
    result = search_in(
        bundled, 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'
    )
    why = result.matches[0].why
    assert isinstance(why, Reasons) and why._make is not None  # nothing written yet
    assert any(r.startswith("error NSURLErrorDomain -1009") for r in why)
    assert why._make is None
