"""A match's reasons are written when first read, once, and behave as the tuple they replace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


# Two patterns of one entry and two phrases of another: their reasons came out in set order, so
# `why` listed them differently from one process to the next; so could the domain a code is read with.
_SAME_EVERY_RUN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.core import bundled_index, search_in
bundled = bundled_index()
texts = [
    "Task <1>.<1> HTTP load failed, 0/0 bytes (error code: -1004 [1:61]) failed to connect 1:61 firewall on my mac",
    "NEFlow queue EXC_BAD_ACCESS in NEAppProxyUDPFlow datagram async crash",
    "packet tunnel dies on dark wake, sleep(completionHandler:) is called and disconnectOnSleep is false",
]
codes = bundled[1].find_codes("kCFErrorDomainCFNetwork NSURLErrorDomain NSPOSIXErrorDomain errno code -1001 or 61")
print(json.dumps([[list(m.why) for m in search_in(bundled, t).matches] for t in texts] + [repr(codes)]))
"""


def test_reasons_are_listed_the_same_in_every_process() -> None:
    root = str(Path(__file__).parent.parent)
    runs = {
        subprocess.run(
            [sys.executable, "-c", _SAME_EVERY_RUN, root],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(runs) == 1
