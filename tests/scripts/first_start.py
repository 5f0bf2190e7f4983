"""Run by the first-start test: open (and so create) round_<i>.db at an agreed moment, the
same moment as the other processes, and print ok or the error for each round."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bot.store.sqlite import SQLiteStore


async def main(folder: Path, rounds: int, start: float, step: float) -> None:
    for i in range(rounds):
        time.sleep(max(0.0, start + i * step - time.time()))  # noqa: ASYNC251 - a barrier, on purpose
        store = SQLiteStore(folder / f"round_{i}.db")
        try:
            await store.open()
            await store.close()
            print(f"ok {i}", flush=True)
        except Exception as exc:
            print(f"FAIL {i}: {type(exc).__name__}: {exc}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])))
