"""Review-queue benchmark: how long a miss takes to become a correct answer, machine time only.

On the bundled knowledge base in a SQLite file: record misses (the asks), group them, list the
queue, draft an entry, create it (the usual checks and an index rebuild), and ask again. Also
times recording into a queue that already holds many open items (grouping is bounded).
Prints figures; asserts nothing. The maintainer's own time (writing the summary) is not in it.

    python bench/review.py
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.curator import assemble  # noqa: E402
from bot.models import Incoming, Mode, Outcome, Place, ReviewScope  # noqa: E402
from bot.review import ReviewQueue  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402

MISS = "Why does my Bonjour browse on the watch never find the printer after pairing?"
PLACE = Place("discord", "G1", "help")


def ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:8.1f} ms"


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        await store.open()
        engine, curator = assemble(store, ROOT / "knowledge")
        t = time.perf_counter()
        await curator.start()
        print(f"import + index of the bundled knowledge base {ms(t)}")
        queue = ReviewQueue(engine, curator)
        t = time.perf_counter()
        first = await engine.answer(Incoming(MISS, Mode.SLASH, PLACE, "discord:1"))
        print(f"ask (a miss, recorded)                      {ms(t)}   outcome {first and first.outcome}")
        t0 = time.perf_counter()
        [item] = await queue.items(ReviewScope.everything())
        print(f"list the queue                              {ms(t0)}")
        t = time.perf_counter()
        draft = await queue.draft_entry(item.id)
        print(f"draft the entry                             {ms(t)}   id {draft.id}")
        t = time.perf_counter()
        entry = replace(draft, summary="Bonjour on watchOS needs the local network usage description and ...")
        await queue.create(item.id, entry, "bench")
        print(f"create (checks + index rebuild)             {ms(t)}")
        t = time.perf_counter()
        again = await engine.answer(Incoming(MISS, Mode.SLASH, PLACE, "discord:2"))
        correct = again is not None and again.outcome is Outcome.ANSWER and again.matches[0].entry.id == draft.id
        print(f"ask again                                   {ms(t)}   answered with the new entry: {correct}")
        print(f"queue -> correct answer (machine time)      {ms(t0)}")
        await many_open_items(engine)
        await store.close()


async def many_open_items(engine: object) -> None:
    """Recording when about 1,000 open items exist (grouping compares with the newest 200)."""
    from bot.engine import Engine

    assert isinstance(engine, Engine)
    rng = random.Random(7)

    def words() -> str:  # made-up words, so the questions are distinct items
        return " ".join(
            "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4)) for _ in range(6)
        )

    for _ in range(1000):
        await engine.answer(Incoming(words(), Mode.SLASH, PLACE, "d:1"))
    t = time.perf_counter()
    for _ in range(50):
        await engine.answer(Incoming(words(), Mode.SLASH, PLACE, "d:2"))
    per = (time.perf_counter() - t) * 1000 / 50
    items = len(await engine.store.review_items(ReviewScope.everything(), 5000))
    print(f"ask + record with {items:,} open items (mean of 50) {per:6.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
