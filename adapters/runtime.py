"""``supportbot run``'s lifetime: the chat platforms and the knowledge watcher run side by side
until SIGTERM or SIGINT, then shut down gracefully: no new events, answers in flight finish
(bounded), connections and the database close, exit 0.

A platform that stops by itself with an error (a rejected token) stops the others too, and
the error reaches the command line as a clear message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Iterator, Sequence
from typing import Protocol

from adapters.http import HttpServer

log = logging.getLogger("adapters.runtime")

GRACE_SECONDS = 10.0


class Service(Protocol):
    """A chat platform as ``supportbot run`` drives it."""

    name: str

    def mount(self, server: HttpServer) -> None:
        """Add routes to the operations server (before it starts), if the platform needs any."""

    async def health(self) -> tuple[bool, str]:
        """``(ok, reason)`` for /healthz."""
        ...

    async def run(self) -> None:
        """Connect (retrying) and handle events until cancelled or shut down."""

    async def shutdown(self, grace: float) -> None:
        """Stop taking events, let those in flight finish within ``grace`` s, disconnect."""


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM (docker stop, systemd) and SIGINT (Ctrl-C) while in the block."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def serve(
    services: Sequence[Service],
    background: Sequence[Awaitable[None]] = (),
    stop: asyncio.Event | None = None,
    grace: float = GRACE_SECONDS,
) -> None:
    """Run ``services`` (and ``background`` jobs) until ``stop`` is set or a service ends,
    then shut every service down gracefully; re-raises the error a service ended with."""
    stop = stop if stop is not None else asyncio.Event()
    with stop_on_signals(stop):
        runs = [asyncio.create_task(s.run(), name=f"run {s.name}") for s in services]
        jobs = [asyncio.ensure_future(job) for job in background]
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait([*runs, stopped], return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                log.info("stopping: finishing answers in flight (at most %g s)", grace)
            await asyncio.gather(*(s.shutdown(grace) for s in services), return_exceptions=True)
        finally:
            for task in [*runs, *jobs, stopped]:
                task.cancel()
            await asyncio.gather(*runs, *jobs, stopped, return_exceptions=True)
        for task in runs:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    log.info("stopped")
