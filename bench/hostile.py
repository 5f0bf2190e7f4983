"""Hostile-input benchmark: ~1 MB inputs of odd shapes through ``Engine.search`` on the bundled KB.

Target: every shape <= 100 ms (extraction + ranking). Prints the median and worst time per
shape; asserts nothing (speed is measured here, never by timed tests).

    python bench/hostile.py               # every shape, 5 rounds each
    python bench/hostile.py --rounds 11   # more rounds
    python bench/hostile.py --shape hex   # one shape
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.curator import assemble  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.settings import EngineSettings  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402

SIZE = 1_000_000


def _repeat(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def error_line() -> str:
    return _repeat('Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."\n')


def bare_code() -> str:
    return _repeat("-1009 ")


def hex_code() -> str:
    return _repeat("0xFFFFD9AB ")


def random_unicode() -> str:
    rng = random.Random(1)
    # Printable and not: every plane below the surrogates, plus a few astral characters.
    chars = [chr(rng.randrange(0x20, 0xD7FF)) for _ in range(SIZE - 2000)]
    chars += [chr(rng.randrange(0x10000, 0x10FFFF)) for _ in range(2000)]
    return "".join(chars)


def long_line() -> str:
    rng = random.Random(2)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-=:/"
    return "".join(rng.choice(alphabet) for _ in range(SIZE))


def deep_json() -> str:
    depth = SIZE // 8
    return '{"bug_type":"309"}\n' + '{"a":[' * depth + "1" + "]}" * depth


def underlying_blocks() -> str:
    block = (
        'Error Domain=NSURLErrorDomain Code=-1200 "An SSL error has occurred." UserInfo={NSUnderlyingError=0x6000 '
        '{Error Domain=kCFErrorDomainCFNetwork Code=-1200 "(null)" UserInfo={_kCFStreamErrorCodeKey=-9816, '
        "_kCFStreamErrorDomainKey=3}}, _kCFStreamErrorDomainKey=3, _kCFStreamErrorCodeKey=-9816}\n"
    )
    rng = random.Random(4)
    out, size = [], 0
    while size < SIZE:
        line = block.replace("-9816", str(-rng.randint(9800, 9860))).replace("-1200", str(-rng.randint(1000, 1300)))
        out.append(line)
        size += len(line)
    return "".join(out)[:SIZE]


def crash_threads() -> str:
    header = json.dumps({"bug_type": "309", "app_name": "MyApp", "incident_id": "X"})
    frame = {"imageOffset": 1234, "symbol": "nw_connection_start", "symbolLocation": 12, "imageIndex": 0}
    threads = [{"id": i, "queue": f"q{i}", "frames": [frame] * 20} for i in range(1, 560)]
    threads.insert(3, {"id": 0, "triggered": True, "queue": "NEFlow queue", "frames": [frame] * 20})
    body = {
        "exception": {"type": "EXC_BAD_ACCESS", "signal": "SIGSEGV", "codes": "0x1, 0x28"},
        "faultingThread": 3,
        "threads": threads,
        "usedImages": [{"name": "Network"}],
    }
    return header + "\n" + json.dumps(body)


def base64_blob() -> str:
    return base64.b64encode(random.Random(5).randbytes(SIZE * 3 // 4)).decode()


def mixed_log() -> str:
    rng = random.Random(6)
    lines = [
        "2026-01-02 10:11:12.345 MyApp[123:4567] Task <{u}>.<1> finished with error [-1009] Error Domain="
        'NSURLErrorDomain Code=-1009 "offline" UserInfo={{_kCFStreamErrorCodeKey=50, _kCFStreamErrorDomainKey=1}}',
        "nw_socket_handle_socket_event [C{n}.1:2] Socket SO_ERROR [61: Connection refused]",
        "boringssl_context_handle_fatal_alert(1991) [C{n}:1][0x{h}] read alert, level: fatal, description: bad cert",
        "OSStatus -9806 status {n} errno {n} posix({n}) 0x{h} -{n}",
        "Thread {n} Crashed: com.apple.network.connections 0x{h} +{n}",
    ]
    out, size = [], 0
    while size < SIZE:
        line = rng.choice(lines).format(u=rng.getrandbits(64), n=rng.randint(0, 99999), h=f"{rng.getrandbits(32):08x}")
        out.append(line + "\n")
        size += len(line) + 1
    return "".join(out)


def many_codes() -> str:
    rng = random.Random(8)
    return " ".join(f"Code={-rng.randint(1, 99999)}" for _ in range(SIZE // 12))[:SIZE]


SHAPES: dict[str, Callable[[], str]] = {
    "error-line": error_line,
    "bare-code": bare_code,
    "hex": hex_code,
    "unicode": random_unicode,
    "long-line": long_line,
    "deep-json": deep_json,
    "underlying": underlying_blocks,
    "crash-threads": crash_threads,
    "base64": base64_blob,
    "mixed-log": mixed_log,
    "many-codes": many_codes,
}


def run_search(engine: Engine, text: str) -> object:
    """The one engine call measured (kept alone so a change to search()'s return type touches one line)."""
    return engine.search(text)


async def build_engine(db: Path) -> tuple[Engine, SQLiteStore]:
    store = SQLiteStore(db)
    await store.open()
    engine, curator = assemble(store, ROOT / "knowledge", EngineSettings())
    await curator.start()
    return engine, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append")
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        engine, store = loop.run_until_complete(build_engine(Path(tmp) / "bench.db"))
        print(f"{'shape':<16}{'chars':>10}{'median ms':>11}{'worst ms':>10}")
        for name in args.shape or SHAPES:
            text = SHAPES[name]()
            try:
                run_search(engine, text)  # warm caches once, as a running bot would have
            except Exception as exc:  # a benchmark reports a failure and goes on to the next shape
                print(f"{name:<16}{len(text):>10,}  FAILED: {type(exc).__name__}")
                continue
            times = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                run_search(engine, text)
                times.append((time.perf_counter() - t0) * 1000)
            print(f"{name:<16}{len(text):>10,}{statistics.median(times):>11.1f}{max(times):>10.1f}")
        # Closed, or the store's connection thread keeps the process from exiting.
        loop.run_until_complete(store.close())
    loop.close()


if __name__ == "__main__":
    main()
