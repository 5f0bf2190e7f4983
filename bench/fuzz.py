"""Fuzz the core with 100,000 hostile inputs: Engine.search on the bundled KB, crash parsing, the store.

Uses the strategies of the property tests (tests/hostile_strategies.py) with generation
only (no shrinking), counts exceptions instead of stopping at the first, and prints the
totals and the first few failures. Zero exceptions is the target.

    python bench/fuzz.py                     # 100,000 inputs (several minutes)
    python bench/fuzz.py --inputs 5000       # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.crash import parse_crash  # noqa: E402
from bot.curator import assemble  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.settings import EngineSettings  # noqa: E402
from bot.store.base import QueryRecord  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402
from tests.hostile_strategies import HOSTILE_TEXT  # noqa: E402

STORE_EVERY = 10  # one input in ten is also written to the store (SQLite writes dominate otherwise)


def run_search(engine: Engine, text: str) -> object:
    """The one engine call fuzzed (kept alone so a change to search()'s return type touches one line)."""
    return engine.search(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "fuzz.db")
        loop.run_until_complete(store.open())
        engine, curator = assemble(store, ROOT / "knowledge", EngineSettings())
        loop.run_until_complete(curator.start())
        counts = {"inputs": 0, "exceptions": 0}
        failures: list[str] = []

        @settings(
            max_examples=args.inputs,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(text=HOSTILE_TEXT)
        def one(text: str) -> None:
            counts["inputs"] += 1
            try:
                run_search(engine, text)
                parse_crash(text)
                if counts["inputs"] % STORE_EVERY == 0:
                    record = QueryRecord("fuzz", "s", "c", text[:50], "slash", text, "none", None, None, ())
                    qid = loop.run_until_complete(store.log_query(record))
                    loop.run_until_complete(store.add_gap(None, -1, text, qid))
            except Exception:  # counted and reported: the point is to see every failure, not the first
                counts["exceptions"] += 1
                if len(failures) < 5:
                    failures.append(f"input {text[:200]!r}\n{traceback.format_exc(limit=4)}")

        start = time.perf_counter()
        one()
        elapsed = time.perf_counter() - start
        loop.run_until_complete(store.close())
    loop.close()
    print(f"inputs {counts['inputs']:,}  exceptions {counts['exceptions']}  ({elapsed:.0f} s)")
    for failure in failures:
        print(failure)


if __name__ == "__main__":
    main()
