"""Backoff delays, retries and the in-flight count, with no real waiting."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.lifecycle import Backoff, InFlight, keep_trying


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    low, high = Backoff(base=1, cap=8, rand=lambda: 0.0), Backoff(base=1, cap=8, rand=lambda: 1.0)
    assert [low.next() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]
    assert [high.next() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    high.reset()
    assert high.next() == 1
    huge = Backoff(attempt=10_000)
    assert huge.next() <= huge.cap  # no overflow after days of retrying


async def test_keep_trying_retries_transient_failures_only(caplog: pytest.LogCaptureFixture) -> None:
    slept: list[float] = []
    attempts = iter([OSError("refused"), OSError("refused"), "connected"])

    async def attempt() -> str:
        outcome = next(attempts)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    log = logging.getLogger("test.lifecycle")
    backoff = Backoff(rand=lambda: 1.0)
    assert (
        await keep_trying(
            attempt, what="X", transient=lambda e: isinstance(e, OSError), log=log, backoff=backoff, sleep=sleep
        )
        == "connected"
    )
    assert slept == [1, 2]
    assert [r.getMessage() for r in caplog.records] == [
        "X cannot be reached (OSError: refused); retrying in 1.0 s",
        "X cannot be reached (OSError: refused); retrying in 2.0 s",
    ]

    async def rejected() -> str:
        raise PermissionError("bad token")

    with pytest.raises(PermissionError):
        await keep_trying(rejected, what="X", transient=lambda e: False, log=log, sleep=sleep)
    assert slept == [1, 2]


async def test_drain_waits_for_work_in_flight_but_not_forever() -> None:
    inflight = InFlight()
    assert await inflight.drain(0) == 0
    inflight = InFlight()
    release = asyncio.Event()

    async def work() -> None:
        with inflight.track():
            await release.wait()

    task = asyncio.create_task(work())
    await asyncio.sleep(0)
    assert await inflight.drain(0.01) == 1 and inflight.closing
    release.set()
    assert await inflight.drain(5) == 0
    await task
