"""Event-loop stall benchmark: how late does the loop run while big attachments are answered?

A ticker task sleeps 1 ms at a time and records how late it wakes; meanwhile five questions,
each with a 1 MB log attached, are answered concurrently through Engine.answer (the path every
adapter uses), and a sixth user's short /ask is timed alongside. Prints the longest stall and
the short ask's latency, and the same with the off-loop search turned off for comparison.
Target: no stall (and no short ask) over 100 ms. Prints figures; asserts nothing.

    python bench/stall.py
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import engine as engine_module  # noqa: E402
from bot.curator import assemble  # noqa: E402
from bot.models import Attachment, Incoming, Mode, Place  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402

LINES = [
    "2026-01-01 12:00:{s:02d}.{ms:03d} MyApp[123:4567] Task <{n}> HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])",
    "2026-01-01 12:00:{s:02d}.{ms:03d} MyApp[123:4567] nw_connection_receive_internal [C{n}] Connection not ready",
    "2026-01-01 12:00:{s:02d}.{ms:03d} MyApp[123:4567] boringssl_context_handle_fatal_alert(2072) alert 42 level 2",
    "2026-01-01 12:00:{s:02d}.{ms:03d} MyApp[123:4567] frame #{n}: 0x0000000100{n:06x} MyApp`-[Loader fetch:] + 120",
]


def big_log(size: int, seed: int) -> str:
    rnd = random.Random(seed)
    out: list[str] = []
    total = 0
    n = 0
    while total < size:
        line = rnd.choice(LINES).format(s=n % 60, ms=n % 1000, n=n)
        out.append(line)
        total += len(line) + 1
        n += 1
    out.append('Error Domain=NSURLErrorDomain Code=-1200 "An SSL error has occurred."')
    return "\n".join(out)


async def ticker(stop: asyncio.Event, lateness: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.001)
        lateness.append(time.perf_counter() - start - 0.001)


async def run(logs: list[str], off_loop: bool) -> tuple[float, float, float]:
    """(longest stall, short ask latency, wall time) for answering ``logs`` concurrently."""
    engine_module.OFF_LOOP_CHARS = 64 * 1024 if off_loop else 10**12
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        await store.open()
        try:
            engine, curator = assemble(store, ROOT / "knowledge")
            await curator.start()
            place = Place("discord", "1", "2", "")
            stop = asyncio.Event()
            lateness: list[float] = []
            tick = asyncio.create_task(ticker(stop, lateness))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            heavy = [
                engine.answer(Incoming("see log", Mode.SLASH, place, f"discord:{i}", (Attachment(f"{i}.log", log),)))
                for i, log in enumerate(logs)
            ]
            jobs = asyncio.gather(*heavy)
            await asyncio.sleep(0.01)
            asked = time.perf_counter()
            await engine.answer(Incoming("Code=-1009", Mode.SLASH, place, "discord:99"))
            short = time.perf_counter() - asked
            await jobs
            wall = time.perf_counter() - started
            stop.set()
            await tick
        finally:
            await store.close()
    return max(lateness), short, wall


async def main() -> None:
    logs = [big_log(1_000_000, seed) for seed in range(5)]
    print(f"five attachments of {len(logs[0]):,} characters each, answered concurrently")
    for off_loop in (True, False):
        stall, short, wall = await run(logs, off_loop)
        label = "off the loop (64 KB threshold)" if off_loop else "on the loop (before)"
        print(
            f"  {label:32} longest stall {stall * 1000:7.1f} ms   "
            f"short /ask {short * 1000:7.1f} ms   all five {wall:5.2f} s"
        )


if __name__ == "__main__":
    asyncio.run(main())
