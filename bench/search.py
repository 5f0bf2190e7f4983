"""Search benchmark: latency p50/p99, index build time and peak RSS.

Runs on the bundled knowledge base and on synthetic ones of 1k, 10k and 100k entries, each in
its own process so peak RSS belongs to one index. Prints figures; asserts nothing.
Targets: p99 <= 1 ms (bundled), <= 5 ms (100k); a 1 MB log <= 100 ms; build <= 1 s per 10k.

    python bench/search.py                 # everything
    python bench/search.py --size 10000    # one synthetic size
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domains import load_domains  # noqa: E402
from bot.extract import Extractor  # noqa: E402
from bot.index import Index  # noqa: E402
from bot.knowledge.tree import read_knowledge  # noqa: E402
from bot.models import Entry, ErrorRef  # noqa: E402
from bot.rank import search  # noqa: E402

QUERIES = [
    'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."',
    "HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])",
    "kCFStreamErrorDomainSSL -9813 when talking to our staging server with a self-signed cert",
    "nw_socket_handle_socket_event [C4.1:2] Socket SO_ERROR [61: Connection refused]",
    "my NETransparentProxyProvider stops getting handleNewFlow after the Mac wakes",
    "EXC_BAD_ACCESS (code=1, address=0x28) crashed queue: NEFlow queue in my DNS proxy",
    "how do I share cookies between URLSession and WKWebView?",
    "OSStatus -9806 on iOS 17 only",
    "NETransparantProxyProvidr handleNewFlow is never called",
    "anyone around? first day here",
    "Background upload with URLSession stops when the app is suspended, what am I missing",
    "getting -10985 error from urlSession while downloading",
    "NEVPNErrorDomain Code=5 Failed to save configuration",
    "0xFFFFD9AB from SecTrustEvaluateWithError",
    "Local network permission prompt never shows for my Bonjour browser NWBrowser",
]
WORDS = [
    "socket",
    "tunnel",
    "proxy",
    "flow",
    "packet",
    "provider",
    "filter",
    "dns",
    "resolver",
    "certificate",
    "trust",
    "handshake",
    "session",
    "request",
    "response",
    "timeout",
    "cellular",
    "wifi",
    "interface",
    "route",
    "bonjour",
    "browser",
    "listener",
    "connection",
    "stream",
    "cookie",
    "cache",
    "upload",
    "download",
    "background",
    "extension",
    "entitlement",
    "profile",
    "keychain",
    "identity",
    "policy",
    "network",
    "path",
    "monitor",
    "sleep",
    "wake",
    "crash",
    "memory",
    "limit",
    "signal",
    "queue",
    "thread",
    "port",
    "address",
    "server",
    "client",
]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def synthetic_entries(n: int, seed: int = 7) -> list[Entry]:
    rng = random.Random(seed)
    vocab = WORDS + [f"term{i}" for i in range(5000)]
    idents = [f"NE{rng.choice(WORDS).title()}{rng.choice(WORDS).title()}Provider{i}" for i in range(2000)]
    entries = []
    for i in range(n):
        words = rng.choices(vocab, k=120)
        entries.append(
            Entry(
                id=f"synthetic-{i}",
                kind="howto" if i % 3 else "error",
                title=" ".join(rng.choices(vocab, k=6)) + " " + rng.choice(idents),
                summary=" ".join(rng.choices(vocab, k=25)),
                body=" ".join(words),
                errors=(ErrorRef("NSURLErrorDomain", -20000 - i, f"SynthError{i}"),) if i % 3 == 0 else (),
                aliases=(" ".join(rng.choices(vocab, k=4)),),
                tags=tuple(rng.choices(WORDS, k=2)),
            )
        )
    return entries


def one_megabyte_log() -> str:
    rng = random.Random(3)
    lines = []
    size = 0
    while size < 1_000_000:
        line = (
            f"2026-11-26 08:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}+0000 "
            f"MyApp[{rng.randint(100, 999)}:{rng.randint(1000, 99999)}] [com.example:{rng.choice(WORDS)}] "
            f"{' '.join(rng.choices(WORDS, k=8))} id={rng.randint(0, 10**9)} 0x{rng.getrandbits(48):012x}\n"
        )
        lines.append(line)
        size += len(line)
    lines.insert(len(lines) // 2, "Task <A1>.<3> HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])\n")
    return "".join(lines)


def measure(label: str, entries: list[Entry], rounds: int) -> dict[str, object]:
    domains = load_domains(ROOT / "knowledge" / "domains.toml")
    builds = []
    for _ in range(1 if len(entries) >= 100_000 else 3):  # best of three: this VM's timings wander
        start = time.perf_counter()
        index = Index(entries, domains)
        builds.append(time.perf_counter() - start)
    build = min(builds)
    extractor = Extractor(domains)
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            search(index, extractor.extract(q))
            times.append((time.perf_counter() - t0) * 1000)
    log = one_megabyte_log()
    log_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        search(index, extractor.extract(log))
        log_times.append((time.perf_counter() - t0) * 1000)
    return {
        "kb": label,
        "entries": len(entries),
        "build_s": round(build, 3),
        "build_s_per_10k": round(build / max(len(entries), 1) * 10_000, 3),
        "p50_ms": round(statistics.median(times), 3),
        "p99_ms": round(percentile(times, 99), 3),
        "log_1mb_ms": round(statistics.median(log_times), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_one(size: int | None) -> dict[str, object]:
    if size is None:
        entries = read_knowledge(ROOT / "knowledge").entries
        return measure("bundled", entries, rounds=200)
    return measure(f"synthetic-{size}", synthetic_entries(size), rounds=40 if size >= 100_000 else 100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="one synthetic size (default: bundled + 1k, 10k, 100k)")
    parser.add_argument("--bundled", action="store_true", help="only the bundled knowledge base")
    args = parser.parse_args()
    if args.size or args.bundled:
        print(json.dumps(run_one(args.size)))
        return
    print(
        f"{'kb':<18}{'entries':>8}{'build s':>9}{'s/10k':>8}{'p50 ms':>9}{'p99 ms':>9}{'1MB log ms':>12}{'peak RSS MB':>13}"
    )
    for extra in (["--bundled"], ["--size", "1000"], ["--size", "10000"], ["--size", "100000"]):
        out = subprocess.run([sys.executable, __file__, *extra], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(
            f"{r['kb']:<18}{r['entries']:>8}{r['build_s']:>9}{r['build_s_per_10k']:>8}{r['p50_ms']:>9}"
            f"{r['p99_ms']:>9}{r['log_1mb_ms']:>12}{r['peak_rss_mb']:>13}"
        )


if __name__ == "__main__":
    main()
