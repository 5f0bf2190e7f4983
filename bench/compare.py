"""Side-by-side benchmark: this engine against fuzzy matching, BM25 and sentence embeddings.

One process, one knowledge base (knowledge/ imported into an in-memory store, then exported back the way
``supportbot kb export`` lists it, so every system sees the same entries) and the same labelled questions.
Writes bench/RESULTS.md and prints it. Needs the bench extra for bm25s and the embedding rows:

    pip install -e '.[bench]'
    python bench/compare.py                # every system, 3 timing rounds
    python bench/compare.py --quick        # skip the embedding rows (no torch needed)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from baselines import Bm25sBaseline, EmbeddingBaseline, Fts5Baseline, FuzzyBaseline  # noqa: E402
from report import Hit, Run, check_reference, render  # noqa: E402
from scale import SECTION as SCALE_SECTION  # noqa: E402

from bot.evaluate import Case, load_cases  # noqa: E402
from bot.models import Entry  # noqa: E402

K = 3  # answers compared per question (top-1 and top-3)
SHARED_EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_SETS = [SHARED_EVAL / "seed.jsonl", SHARED_EVAL / "dev.jsonl", SHARED_EVAL / "dev2.jsonl"]
OWN_EVAL = ROOT / "tests" / "eval"
# The project's own files, by the column they are reported in: the tuning sets together as "own"; the
# held-out sets that earlier changes were checked on (and so are partly seen) as "held-out"; and the
# newest held-out sets, written blind and never read while tuning, together as "unseen".
OWN_SETS = {
    "own": ["questions", "topics2a", "topics2b", "localized", "offtopic-2", "offtopic-4"],
    "held-out": [
        "holdout-quality",
        "holdout-topics2a",
        "holdout-topics2b",
        "holdout-5",
        "holdout-7",
        "holdout-8",
        "holdout-10",
        "holdout-11",
        "holdout-13",
        "holdout-16",
        "holdout-17",
        "offtopic-6",
    ],
    "unseen": ["holdout-6", "holdout-9", "holdout-12", "holdout-14", "holdout-15", "offtopic-3", "offtopic-5"],
}
SET_OF = {stem: label for label, stems in OWN_SETS.items() for stem in stems}


class EngineSystem:
    """Every call into bot.engine (and its store and policy) lives here, so an API change is adapted once."""

    name = "supportbot engine"

    def __init__(self) -> None:
        self.engine: Any = None

    async def build(self) -> list[str]:
        """Start an engine over a fresh in-memory store importing knowledge/, as ``supportbot eval`` does."""
        from bot.curator import assemble
        from bot.settings import EngineSettings
        from bot.store.sqlite import SQLiteStore

        store = SQLiteStore(":memory:")
        await store.open()
        self.engine, curator = assemble(store, ROOT / "knowledge", EngineSettings())
        return await curator.start(import_on_start=True)

    async def entries(self) -> list[Entry]:
        """The store's entries, as ``supportbot kb export --format jsonl`` lists them."""
        return list(await self.engine.list_entries())

    def query(self, text: str) -> Hit:
        from bot.policy import confident

        result = self.engine.search(text)
        top = result.matches[0].confidence if result.matches else None
        auto, combined = confident(result, self.engine.policy)
        ids = [m.entry.id for m in result.matches]
        if combined is not None:
            parts = [m.entry.id for m in combined.parts]
            ids = parts + [i for i in ids if i not in parts]
        return Hit(ids, top, auto, combined is not None)

    def index_seconds(self, entries: list[Entry]) -> float:
        """Time of the index build alone (no file reading, no store import), best of three."""
        from bot.index import Index

        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            Index(entries, self.engine.domains)
            times.append(time.perf_counter() - t0)
        return min(times)

    def reference(self, cases: list[Case]) -> dict[str, Any]:
        """bot.evaluate's own summary, to check that this script scores the engine the same way."""
        from bot.evaluate import evaluate

        return evaluate(self.engine, cases).summary()

    async def close(self) -> None:
        await self.engine.store.close()


def _proc_status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux clear_refs 5), so each build's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class BuildMeter:
    """Around one build: wall time, resident growth (VmRSS after - before) and peak rise (VmHWM - VmRSS before)."""

    def __enter__(self) -> BuildMeter:
        gc.collect()
        self.peak_ok = _reset_peak_rss()
        self.before = _proc_status_kb("VmRSS")
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.t0
        after, peak = _proc_status_kb("VmRSS"), _proc_status_kb("VmHWM")
        self.figures = {
            "build_s": seconds,
            "rss_mb": (after - self.before) / 1024,
            "peak_mb": (peak - self.before) / 1024 if self.peak_ok else float("nan"),
        }


def run_queries(search: Callable[[str], Hit], cases: list[Case], rounds: int) -> tuple[list[Hit], list[float]]:
    """Answers from the first round; latency (ms) of every call in every round."""
    hits: list[Hit] = []
    times: list[float] = []
    for r in range(rounds):
        for case in cases:
            t0 = time.perf_counter()
            hit = search(case.text)
            times.append((time.perf_counter() - t0) * 1000)
            if r == 0:
                hits.append(hit)
    return hits, times


def baseline_search(system: Any) -> Callable[[str], Hit]:
    return lambda text: Hit(system.search(text, K))


def rerank_search(engine: EngineSystem, emb: EmbeddingBaseline) -> Callable[[str], Hit]:
    """The engine's matches (up to max_matches), reordered by MiniLM cosine similarity to the message."""

    def search(text: str) -> Hit:
        hit = engine.query(text)
        if len(hit.ids) < 2:
            return Hit(hit.ids)
        sims = emb.similarities(text)
        return Hit(sorted(hit.ids, key=lambda eid: -float(sims[emb.row[eid]])))

    return search


def _kept(out: Path) -> str:
    """What other benchmarks wrote into the same file (bench/scale.py's section), kept as it is."""
    old = out.read_text(encoding="utf-8") if out.is_file() else ""
    at = old.find("\n" + SCALE_SECTION)
    return "\n" + old[at:].lstrip("\n") if at != -1 else ""


def load_sets(paths: list[Path]) -> list[Case]:
    """Cases from every file that exists, labelled by set (the project's own files as in ``OWN_SETS``)."""
    cases = []
    for path in paths:
        if not path.is_file():
            print(f"note: {path} not found, skipped", file=sys.stderr)
            continue
        for case in load_cases([path]):
            own = path.resolve().parent == OWN_EVAL.resolve()
            case.source = SET_OF.get(path.stem, path.stem) if own else path.stem
            cases.append(case)
    return cases


async def collect(cases: list[Case], rounds: int, embeddings: bool) -> tuple[list[Run], dict[str, Any]]:
    """Build and query every system in turn (lightest first, so memory figures are not swamped)."""
    load = os.getloadavg()
    engine = EngineSystem()
    with BuildMeter() as meter:
        warnings = await engine.build()
    entries = await engine.entries()
    hits, times = run_queries(engine.query, cases, rounds)
    runs = [Run(engine.name, hits, times, meter.figures)]
    info: dict[str, Any] = {
        "entries": entries,
        "warnings": warnings,
        "index_s": engine.index_seconds(entries),
        "reference": engine.reference(cases),
        "skipped": [],
        "load": " ".join(f"{x:.1f}" for x in load),
    }
    systems: list[tuple[str, Callable[[list[Entry]], Any]]] = [
        (FuzzyBaseline.name, FuzzyBaseline),
        (Fts5Baseline.name, Fts5Baseline),
        (Bm25sBaseline.name, Bm25sBaseline),
    ]
    if embeddings:
        systems.append((EmbeddingBaseline.name, EmbeddingBaseline))
    built: dict[str, Any] = {}
    for name, make in systems:
        try:
            with BuildMeter() as meter:
                system = make(entries)
        except ImportError as exc:
            info["skipped"].append(f"{name}: {exc} (install the bench extra)")
            continue
        built[name] = system
        hits, times = run_queries(baseline_search(system), cases, rounds)
        runs.append(Run(name, hits, times, meter.figures))
    emb = built.get(EmbeddingBaseline.name)
    if emb is not None:
        hits, times = run_queries(rerank_search(engine, emb), cases, rounds)
        runs.append(Run("engine + MiniLM re-rank", hits, times, {}))
    await engine.close()
    return runs, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files", nargs="*", type=Path, help="eval files (default: shared seed/dev/dev2 + every own set)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds over all questions (default 3)")
    parser.add_argument("--quick", action="store_true", help="skip the embedding rows")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md", help="where to write the table")
    args = parser.parse_args()
    own = [OWN_EVAL / f"{stem}.jsonl" for stems in OWN_SETS.values() for stem in stems]
    cases = load_sets(args.files or [*DEFAULT_SETS, *own])
    if not cases:
        sys.exit("no eval lines found")
    runs, info = asyncio.run(collect(cases, args.rounds, embeddings=not args.quick))
    by_id = {e.id: e for e in info["entries"]}
    info["mismatch"] = check_reference(runs[0], cases, by_id, info["reference"])
    text = render(runs, cases, by_id, info, rounds=args.rounds)
    args.out.write_text(text + _kept(args.out), encoding="utf-8")
    print(text)
    if info["mismatch"]:
        print("warning: engine figures differ from bot.evaluate's: " + info["mismatch"], file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
