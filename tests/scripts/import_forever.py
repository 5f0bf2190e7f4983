"""Run by the kill test: import versions n+1, n+2 ... of a large synthetic knowledge base into
one database, printing each version once its import is committed, until killed."""

from __future__ import annotations

import asyncio
import sys

from bot.models import Entry
from bot.store.sqlite import SQLiteStore


def version(n: int, size: int) -> list[Entry]:
    return [Entry(id=f"e{i:05d}", kind="howto", title=f"Entry {i}", summary=f"v{n}") for i in range(size)]


async def main(path: str, size: int) -> None:
    store = SQLiteStore(path)
    await store.open()
    # Continue from the stored version, so versions only grow across kills.
    first = await store.get_entry("e00000")
    n = int(first.summary[1:]) + 1 if first is not None else 1
    while True:
        await store.import_entries(version(n, size), "test", f"version {n}")
        print(f"committed {n}", flush=True)
        n += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
