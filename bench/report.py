"""Scoring and the Markdown report for bench/compare.py.

Correctness is bot.evaluate's rule (``satisfies``: expected entry, error symbol, domain+code, or any ``also``),
so a line counts the same here as in ``supportbot eval``.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.evaluate import Case, satisfies
from bot.models import Entry

SETS = ("seed", "dev", "dev2", "own", "held-out", "unseen")


@dataclass
class Hit:
    """One system's answer to one question: entry ids best first, plus the engine's own judgement."""

    ids: list[str]
    confidence: float | None = None
    auto: bool | None = None
    # The engine answered with two entries under one headline (bot.combine): as in bot.evaluate,
    # the answer is right when either of its two parts, which lead ``ids``, is expected.
    combined: bool = False

    @property
    def first(self) -> list[str]:
        """The ids judged for top-1."""
        return self.ids[:2] if self.combined else self.ids[:1]


@dataclass
class Run:
    """One system's answers (first round) and every timed call."""

    name: str
    hits: list[Hit]
    times: list[float]
    build: dict[str, float] = field(default_factory=dict)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def _ok(ids: list[str], case: Case, by_id: dict[str, Entry]) -> bool:
    return any(eid in by_id and satisfies(by_id[eid], case.expect) for eid in ids)


def ranking(run: Run, cases: list[Case], by_id: dict[str, Entry]) -> dict[str, list[int]]:
    """Per set and ``all``: [answerable lines, top-1 correct, top-3 correct]."""
    out: dict[str, list[int]] = {}
    for hit, case in zip(run.hits, cases, strict=True):
        if case.expect.get("abstain"):
            continue
        for key in (case.source, "all"):
            cell = out.setdefault(key, [0, 0, 0])
            cell[0] += 1
            cell[1] += _ok(hit.first, case, by_id)
            cell[2] += _ok(hit.ids[:3], case, by_id)
    return out


def policy(run: Run, cases: list[Case], by_id: dict[str, Entry], source: str = "") -> dict[str, Any]:
    """The engine's auto-reply figures and its reliability bins (top confidence against top-1 accuracy)."""
    f = {"answerable": 0, "auto": 0, "auto_ok": 0, "offtopic": 0, "silent": 0}
    bins: dict[str, list[int]] = {}
    for hit, case in zip(run.hits, cases, strict=True):
        if source and case.source != source:
            continue
        if case.expect.get("abstain"):
            f["offtopic"] += 1
            f["silent"] += not hit.auto
            f["auto"] += bool(hit.auto)
            continue
        f["answerable"] += 1
        ok1 = _ok(hit.first, case, by_id)
        if hit.auto:
            f["auto"] += 1
            f["auto_ok"] += ok1
        if hit.confidence is not None:
            cell = bins.setdefault(f"{min(int(hit.confidence * 10), 9) / 10:.1f}", [0, 0])
            cell[0] += 1
            cell[1] += ok1
    return {**f, "bins": dict(sorted(bins.items()))}


def in_kb(cases: list[Case], entries: list[Entry]) -> list[bool]:
    """Per line: answerable, and some entry of this knowledge base would satisfy it at all."""
    return [not c.expect.get("abstain") and any(satisfies(e, c.expect) for e in entries) for c in cases]


def reachable(cases: list[Case], entries: list[Entry]) -> dict[str, int]:
    """Per set: how many lines ``in_kb``."""
    out: dict[str, int] = {}
    for case, ok in zip(cases, in_kb(cases, entries), strict=True):
        out[case.source] = out.get(case.source, 0) + ok
    return out


def _sets(cases: list[Case]) -> list[str]:
    present = [s for s in SETS if any(c.source == s for c in cases)]
    return present + sorted({c.source for c in cases} - set(SETS))


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def check_reference(engine: Run, cases: list[Case], by_id: dict[str, Entry], ref: dict[str, Any]) -> str:
    """Empty when this script's engine figures equal bot.evaluate's; otherwise what differs."""
    r, p = ranking(engine, cases, by_id)["all"], policy(engine, cases, by_id)
    mine = {
        "top1": _ratio(r[1], r[0]),
        "top3": _ratio(r[2], r[0]),
        "auto_reply_precision": _ratio(p["auto_ok"], p["auto"]),
        "auto_reply_coverage": _ratio(p["auto_ok"], p["answerable"]),
        "offtopic_silence": _ratio(p["silent"], p["offtopic"]),
    }
    diffs = [f"{k} {v} vs {ref.get(k)}" for k, v in mine.items() if v != ref.get(k)]
    return "; ".join(diffs)


def _top_k(run: Run, cases: list[Case], by_id: dict[str, Entry], k: int) -> float:
    pairs = [(h, c) for h, c in zip(run.hits, cases, strict=True) if not c.expect.get("abstain")]
    return sum(_ok(h.ids[:k], c, by_id) for h, c in pairs) / len(pairs)


def _f(v: float | None, digits: int = 3) -> str:
    return "n/a" if v is None or v != v else f"{v:.{digits}f}"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _system_rows(runs: list[Run], cases: list[Case], by_id: dict[str, Entry]) -> list[str]:
    rows = [
        "| system | top-1 | top-3 | top-1 where the KB has the answer | p50 ms | p99 ms | build s "
        "| RSS growth MB | peak RSS rise MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    mask = in_kb(cases, list(by_id.values()))
    can = [c for c, ok in zip(cases, mask, strict=True) if ok]
    for run in runs:
        n, t1, t3 = ranking(run, cases, by_id)["all"]
        covered = Run(run.name, [h for h, ok in zip(run.hits, mask, strict=True) if ok], [])
        m, c1, _ = ranking(covered, can, by_id)["all"]
        b = run.build
        rows.append(
            f"| {run.name} | {_f(t1 / n)} | {_f(t3 / n)} | {_f(c1 / m)} | {_f(statistics.median(run.times), 2)} "
            f"| {_f(percentile(run.times, 99), 2)} | {_f(b.get('build_s'), 2)} | {_f(b.get('rss_mb'), 1)} "
            f"| {_f(b.get('peak_mb'), 1)} |"
        )
    return rows


def _per_set_rows(runs: list[Run], cases: list[Case], by_id: dict[str, Entry]) -> list[str]:
    present = _sets(cases)
    first = ranking(runs[0], cases, by_id)
    can = reachable(cases, list(by_id.values()))
    head = " | ".join(f"{s} ({first.get(s, [0])[0]}; {can.get(s, 0)} in KB)" for s in present)
    rows = [f"| system | {head} |", "| --- |" + " ---: |" * len(present)]
    for run in runs:
        r = ranking(run, cases, by_id)
        cells = " | ".join(f"{_f(r[s][1] / r[s][0])} / {_f(r[s][2] / r[s][0])}" if s in r else "n/a" for s in present)
        rows.append(f"| {run.name} | {cells} |")
    return rows


def _policy_row(label: str, p: dict[str, Any]) -> str:
    return (
        f"| {label} | {p['auto']} | {_f(_ratio(p['auto_ok'], p['auto']))} "
        f"| {_f(_ratio(p['auto_ok'], p['answerable']))} ({p['auto_ok']}/{p['answerable']}) "
        f"| {_f(_ratio(p['silent'], p['offtopic']))} ({p['silent']}/{p['offtopic']}) |"
    )


def _policy_rows(engine: Run, cases: list[Case], by_id: dict[str, Entry]) -> list[str]:
    p = policy(engine, cases, by_id)
    rows = [
        "| questions | auto-replies | precision | coverage | off-topic silence |",
        "| --- | ---: | ---: | ---: | ---: |",
        _policy_row("all", p),
        *(_policy_row(s, policy(engine, cases, by_id, s)) for s in _sets(cases)),
        "",
        "| top confidence | lines | top-1 accuracy |",
        "| --- | ---: | ---: |",
    ]
    for k, (n, ok) in p["bins"].items():
        hi = "1.0" if k == "0.9" else f"{float(k) + 0.1:.1f}"
        rows.append(f"| {k}–{hi} | {n} | {_f(ok / n)} |")
    return rows


def render(runs: list[Run], cases: list[Case], by_id: dict[str, Entry], info: dict[str, Any], rounds: int) -> str:
    """The whole RESULTS.md."""
    entries: list[Entry] = info["entries"]
    ceiling = _top_k(runs[0], cases, by_id, 25)
    top1 = _top_k(runs[0], cases, by_id, 1)
    curated = sum(e.curated for e in entries)
    answerable = sum(not c.expect.get("abstain") for c in cases)
    lines = [
        "# Side-by-side search benchmark",
        "",
        f"Written by `python bench/compare.py` on {datetime.date.today().isoformat()}; {machine()}.",
        f"Knowledge base: the bundled `knowledge/` as the engine exports it, {len(entries)} entries "
        f"({curated} curated, {len(entries) - curated} catalog rows). Questions: {len(cases)} lines, "
        f"{answerable} answerable, {len(cases) - answerable} off-topic.",
        "",
        "## Ranking, speed and size (all answerable lines)",
        "",
        *_system_rows(runs, cases, by_id),
        "",
        "## Per dataset (top-1 / top-3; answerable lines in brackets)",
        "",
        *_per_set_rows(runs, cases, by_id),
        "",
        "## This engine's answer policy and reliability",
        "",
        *_policy_rows(runs[0], cases, by_id),
        "",
        "## How it was measured",
        "",
        "- Correct means bot.evaluate's rule: the expected entry, error symbol or domain+code, or one of `also`.",
        f"- Latency: every question searched {rounds} times per system in this one process, wall time per call "
        "(the engine's includes extraction; the embedding rows include encoding the question).",
        f"- Build: the engine's is its whole start (read knowledge/, import into in-memory SQLite, build the index); "
        f"its index build alone took {info['index_s']:.3f} s. The others build from the exported entries; the "
        "embedding row includes importing torch, loading the model and encoding every entry.",
        "- Memory: RSS growth is VmRSS after the build minus before; peak RSS rise is VmHWM (reset before each "
        "build through /proc/self/clear_refs) minus VmRSS before. Both are whole-process resident memory, so "
        "native allocations (SQLite, numpy, torch) count, unlike tracemalloc.",
        "- The baselines never abstain, so auto-reply and silence figures exist for the engine only.",
        "- `engine + MiniLM re-rank` reorders the engine's matches (up to its max_matches) by cosine similarity; "
        "its latency is both searches together and it needs the embedding row's build. No re-ranker of those "
        f"matches can beat the share of lines with a correct one among them: {_f(ceiling)}, "
        f"{_f(ceiling - top1)} above the engine's own top-1.",
        f"- Load average when the run started: {info['load']} (other jobs on this machine make latency wander).",
    ]
    lines += [f"- Skipped: {s}" for s in info["skipped"]]
    lines += [f"- Engine start-up warning: {w}" for w in info["warnings"]]
    if info.get("mismatch"):
        lines.append(f"- WARNING: engine figures differ from bot.evaluate's: {info['mismatch']}")
    return "\n".join(lines) + "\n"
