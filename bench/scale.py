"""Scale-out benchmark: answers per second and p99 latency with 1, 2 and 4 processes on one
PostgreSQL database, against one process on SQLite, for a mixed load.

Each process runs its own engine (as a Discord shard group or a Slack replica would) with a few
concurrent askers: questions (each logged as a query), a feedback click on every fifth answer,
and, in the first process, an edit of an entry every second (a revision, a NOTIFY, an index
rebuild everywhere). A throwaway PostgreSQL server is started like .ci/run's (tests/pgserver.py),
or SUPPORTBOT_BENCH_PG_URL names one. Prints a Markdown table; ``--write`` appends it to
bench/RESULTS.md. Asserts nothing.

    python bench/scale.py [--seconds 8] [--askers 4] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Scale out: processes on one database (bench/scale.py)"
sys.path.insert(0, str(ROOT))

from bot.curator import assemble  # noqa: E402
from bot.models import Incoming, Mode, Place  # noqa: E402
from bot.reload import KnowledgeWatcher  # noqa: E402
from bot.store import store_for_url  # noqa: E402

QUESTIONS = [
    'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."',
    "HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])",
    "kCFStreamErrorDomainSSL -9813 when talking to our staging server with a self-signed cert",
    "nw_socket_handle_socket_event [C4.1:2] Socket SO_ERROR [61: Connection refused]",
    "how do I share cookies between URLSession and WKWebView?",
    "the request timed out after 60 seconds on cellular only",
]
KB = ROOT / "knowledge"


async def _prepare(url: str) -> None:
    store = store_for_url(url)
    await store.open()
    try:
        _, curator = assemble(store, KB)
        await curator.start(import_on_start=True)
    finally:
        await store.close()


async def _work(url: str, seconds: float, askers: int, editor: bool) -> tuple[int, list[float]]:
    store = store_for_url(url)
    await store.open()
    engine, curator = assemble(store, KB)
    await curator.start(import_on_start=False)
    watcher = KnowledgeWatcher(store, engine)
    await watcher.listen()
    await watcher.check()
    latencies: list[float] = []
    end = time.monotonic() + seconds

    async def ask(n: int) -> None:
        i = n
        while time.monotonic() < end:
            started = time.perf_counter()
            text = QUESTIONS[i % len(QUESTIONS)]
            answer = await engine.answer(Incoming(text, Mode.MENTION, Place("slack", "T", f"C{n}"), author=f"U{i}"))
            if answer is not None and answer.query_id is not None and i % 5 == 0:
                await engine.feedback(answer.query_id, f"U{i}", i % 10 == 0)
            latencies.append(time.perf_counter() - started)
            i += askers

    async def edit() -> None:
        n = 0
        entry = (await store.list_entries())[0]
        while time.monotonic() < end:
            await asyncio.sleep(1)
            n += 1
            await curator.save_entry(
                dataclasses.replace(entry, summary=f"{entry.summary} ({n})"), "bench", create=False
            )

    reload_task = asyncio.create_task(watcher.run())
    jobs = [ask(n) for n in range(askers)] + ([edit()] if editor else [])
    await asyncio.gather(*jobs)
    reload_task.cancel()
    await store.close()
    return len(latencies), latencies


def _process(args: tuple[str, float, int, bool]) -> tuple[int, list[float]]:
    return asyncio.run(_work(*args))


def run(url: str, processes: int, seconds: float, askers: int) -> tuple[float, float, float]:
    """(answers per second, p50 ms, p99 ms) over all processes."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_process, [(url, seconds, askers, i == 0) for i in range(processes)])
    latencies = sorted(x for _, lat in results for x in lat)
    count = sum(n for n, _ in results)
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return count / seconds, p(0.50), p(0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--askers", type=int, default=4, help="concurrent askers per process")
    parser.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite://{tmp}/bench.db"
        asyncio.run(_prepare(sqlite_url))
        rows.append(("SQLite", 1, *run(sqlite_url, 1, args.seconds, args.askers)))
    server = None
    url = os.environ.get("SUPPORTBOT_BENCH_PG_URL")
    if not url:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import start_server

        server = start_server()
        url = server.url
    try:
        for processes in (1, 2, 4):
            import asyncpg

            async def reset() -> None:
                con = await asyncpg.connect(url)
                await con.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                await con.close()

            asyncio.run(reset())
            asyncio.run(_prepare(url))
            rows.append(("PostgreSQL", processes, *run(url, processes, args.seconds, args.askers)))
    finally:
        if server is not None:
            server.stop()
    table = [
        "| store | processes | answers/s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {s} | {n} | {rate:.0f} | {p50:.1f} | {p99:.1f} |" for s, n, rate, p50, p99 in rows),
    ]
    text = "\n".join(table)
    print(text)
    if args.write:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        section = (
            f"\n\n{SECTION}\n\n"
            f"{text}\n\n"
            f"- Mixed load for {args.seconds:g} s per row: {args.askers} concurrent askers per process (each answer "
            "logged as a query, a feedback click on every fifth), and an edit of one entry every second in the "
            "first process (a revision, a NOTIFY and an index rebuild in every process).\n"
            "- PostgreSQL 15 on this machine (fsync off, a throwaway server), bundled knowledge base; "
            f"{os.cpu_count()} CPUs, load average at the end {load}.\n"
            "- More processes than CPUs cannot run in parallel; the p99 is dominated by the index rebuild that "
            "every edit causes in each process.\n"
        )
        results = ROOT / "bench" / "RESULTS.md"
        old = results.read_text(encoding="utf-8") if results.is_file() else ""
        # A rerun replaces its own section; bench/compare.py's part above it stays as it is.
        at = old.find(f"\n\n{SECTION}")
        results.write_text((old if at == -1 else old[:at]).rstrip("\n") + section, encoding="utf-8")


if __name__ == "__main__":
    main()
