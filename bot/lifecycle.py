"""What a long-running bot needs whatever the platform: retrying a connection that cannot be
made yet (exponential backoff, capped, with jitter) and counting the work in flight so a
shutdown can let answers finish.

The clock, the sleep and the randomness are parameters, so tests run without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TypeVar

from bot.metrics import Metrics, Platform

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Backoff:
    """Delays of ``base * factor**n`` seconds, at most ``cap``, with equal jitter: half of
    each delay is fixed and half random, so many bots restarted together spread out but
    never retry in a tight loop."""

    base: float = 1.0
    cap: float = 60.0
    factor: float = 2.0
    rand: Callable[[], float] = field(default=random.random)
    attempt: int = 0

    def next(self) -> float:
        """The delay before the next attempt (and count the attempt)."""
        ceiling = min(self.cap, self.base * self.factor ** min(self.attempt, 32))
        self.attempt += 1
        return ceiling / 2 + self.rand() * ceiling / 2

    def reset(self) -> None:
        """The connection worked: the next failure starts from ``base`` again."""
        self.attempt = 0


def describe(exc: BaseException) -> str:
    """One short line for a connection error (no traceback: the cause is the network)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


async def keep_trying(
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    transient: Callable[[BaseException], bool],
    log: logging.Logger,
    backoff: Backoff | None = None,
    sleep: Sleep = asyncio.sleep,
    on_retry: Callable[[str], None] | None = None,
) -> T:
    """``await attempt()`` until it succeeds; a ``transient`` failure is logged in one line and
    retried after a backoff delay, any other failure (a rejected token) is raised at once."""
    backoff = backoff if backoff is not None else Backoff()
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if not transient(exc):
                raise
            delay = backoff.next()
            log.warning("%s cannot be reached (%s); retrying in %.1f s", what, describe(exc), delay)
            if on_retry is not None:
                on_retry(f"cannot be reached ({describe(exc)}); retrying")
        await sleep(delay)


class Link:
    """The health of one platform connection, made of ``parts`` (Discord shards; one for the
    rest): healthy when every part is up. A part that comes up again after being up counts as
    a reconnection."""

    def __init__(self, platform: Platform, metrics: Metrics, log: logging.Logger, parts: int = 1) -> None:
        self.platform = platform
        self.metrics = metrics
        self.log = log
        self.parts = parts
        self.reason = "connecting"
        self._up: set[int | None] = set()
        self._seen: set[int | None] = set()

    def up(self, part: int | None = None) -> None:
        """``part`` is connected (again)."""
        if part in self._up:
            return
        if part in self._seen:
            self.metrics.reconnect(self.platform)
            self.log.info("%s: reconnected", self.platform)
        self._seen.add(part)
        self._up.add(part)

    def down(self, reason: str, part: int | None = None) -> None:
        """``part`` lost its connection; ``reason`` is what /healthz reports meanwhile."""
        if part in self._up:
            self.log.warning("%s: %s", self.platform, reason)
        self._up.discard(part)
        self.reason = reason

    def note(self, reason: str) -> None:
        """Why the link is not up yet (reported by /healthz until it is)."""
        self.reason = reason

    @property
    def ok(self) -> bool:
        """True when every part is connected."""
        return len(self._up) >= self.parts

    async def health(self) -> tuple[bool, str]:
        """``(ok, reason)`` for the HTTP server's /healthz."""
        return (True, "connected") if self.ok else (False, self.reason)


class InFlight:
    """Counts the events being handled, so a shutdown stops taking new ones and waits (bounded)
    for those under way: ``with inflight.track(): ...`` around each handler."""

    def __init__(self) -> None:
        self.count = 0
        self.closing = False
        self._idle = asyncio.Event()
        self._idle.set()

    def begin(self) -> None:
        """One more event is being handled."""
        self.count += 1
        self._idle.clear()

    def end(self) -> None:
        """An event's handling finished (however it ended)."""
        self.count = max(0, self.count - 1)
        if self.count == 0:
            self._idle.set()

    @contextmanager
    def track(self) -> Iterator[None]:
        """Count the block as one event in flight."""
        self.begin()
        try:
            yield
        finally:
            self.end()

    async def drain(self, within: float) -> int:
        """Stop taking new events and wait up to ``within`` seconds for those in flight;
        returns how many were still running when the time was up."""
        self.closing = True
        with suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), within)
        return self.count
