"""``supportbot eval``: accuracy, auto-reply precision and silence on labelled questions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.models import Entry, SupportBotError
from bot.policy import confident

_LABEL_RE = re.compile(r"^([A-Za-z_][\w.]*) (-?\d+)\b")


@dataclass
class Case:
    id: str
    text: str
    expect: dict[str, Any]
    source: str
    kind: str = ""  # the line's own label (error, topic, log, offtopic ...), for the per-kind figures


@dataclass
class Report:
    total: int = 0
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    auto_replies: int = 0
    auto_correct: int = 0
    offtopic: int = 0
    offtopic_silent: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    calibration: dict[str, list[int]] = field(default_factory=dict)  # bin -> [n, correct]
    kinds: dict[str, list[int]] = field(default_factory=dict)  # kind -> [n, top-1 right, auto-replies, right ones]

    def ratio(self, a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    def summary(self) -> dict[str, Any]:
        return {
            "questions": self.total,
            "answerable": self.answerable,
            "top1": self.ratio(self.top1, self.answerable),
            "top3": self.ratio(self.top3, self.answerable),
            "auto_replies": self.auto_replies,
            "auto_reply_precision": self.ratio(self.auto_correct, self.auto_replies),
            "auto_reply_coverage": self.ratio(self.auto_correct, self.answerable),
            "offtopic": self.offtopic,
            "offtopic_silence": self.ratio(self.offtopic_silent, self.offtopic),
            "calibration": {
                k: {"n": v[0], "accuracy": self.ratio(v[1], v[0])} for k, v in sorted(self.calibration.items())
            },
            "kinds": {
                k: {
                    "n": v[0],
                    "top1": self.ratio(v[1], v[0]),
                    "auto_replies": v[2],
                    "precision": self.ratio(v[3], v[2]),
                }
                for k, v in sorted(self.kinds.items())
            },
        }

    def count_kind(self, kind: str, right: bool, auto: bool) -> None:
        """One line of ``kind``: whether its top answer was right, and whether it was posted unasked."""
        cell = self.kinds.setdefault(kind or "unlabelled", [0, 0, 0, 0])
        cell[0] += 1
        cell[1] += right
        cell[2] += auto
        cell[3] += auto and right


def load_cases(paths: list[Path]) -> list[Case]:
    """Read eval lines; a malformed line is an error naming file and line."""
    cases = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise SupportBotError(f"cannot read {path}: {exc.strerror}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                kind = str(data.get("kind") or "")
                cases.append(Case(str(data["id"]), str(data["text"]), dict(data["expect"]), str(path), kind))
            except (ValueError, KeyError, TypeError) as exc:
                raise SupportBotError(f"{path}:{number}: not an eval line with id, text and expect ({exc})") from None
    return cases


def satisfies(entry: Entry, expect: dict[str, Any]) -> bool:
    """Whether ``entry`` as the top answer meets one expectation (or any of its ``also``)."""
    options = [expect, *expect.get("also", [])]
    for exp in options:
        if "entry" in exp and entry.id == exp["entry"]:
            return True
        if "symbol" in exp:
            symbol = str(exp["symbol"])
            if any(e.symbol == symbol for e in entry.errors):
                return True
            # Undocumented codes are labelled "Domain code (description)".
            m = _LABEL_RE.match(symbol)
            if m and any(e.domain == m.group(1) and e.code == int(m.group(2)) for e in entry.errors):
                return True
        if "domain" in exp and "code" in exp:
            domain, code = exp["domain"], int(exp["code"])
            if any(e.domain == domain and e.code == code for e in entry.errors):
                return True
    return False


def evaluate(engine: Engine, cases: list[Case]) -> Report:
    report = Report()
    for case in cases:
        report.total += 1
        result = engine.search(case.text)
        auto, combined = confident(result, engine.policy)
        top = [m.entry for m in result.matches]
        if combined is not None:
            # The rule for combined answers: both parts are posted under one headline, so the
            # answer is right when either part is the expected one. They lead the answer in
            # ``parts`` order, which is what top-1 and top-3 are judged on.
            parts = [m.entry for m in combined.parts]
            top = parts + [e for e in top if e not in parts]
        if case.expect.get("abstain"):
            report.offtopic += 1
            report.count_kind(case.kind or "offtopic", not auto, auto)
            if auto:
                report.auto_replies += 1
                report.failures.append(_failure(case, "auto-replied to an off-topic line", result.matches[:1]))
            else:
                report.offtopic_silent += 1
            continue
        report.answerable += 1
        ok1 = bool(top) and (
            any(satisfies(e, case.expect) for e in top[:2]) if combined is not None else satisfies(top[0], case.expect)
        )
        ok3 = any(satisfies(e, case.expect) for e in top[:3])
        report.top1 += ok1
        report.top3 += ok3
        report.count_kind(case.kind, ok1, auto)
        if result.matches:
            conf = result.matches[0].confidence
            bucket = f"{min(int(conf * 10), 9) / 10:.1f}"
            cell = report.calibration.setdefault(bucket, [0, 0])
            cell[0] += 1
            cell[1] += ok1
        if auto:
            report.auto_replies += 1
            report.auto_correct += ok1
        if not ok1:
            what = "WRONG AUTO-REPLY" if auto else "top-1 wrong" if ok3 else "not in top 3"
            report.failures.append(_failure(case, what, result.matches[:3]))
    return report


def _failure(case: Case, what: str, matches: Any) -> dict[str, Any]:
    return {
        "id": case.id,
        "what": what,
        "expect": case.expect,
        "got": [{"id": m.entry.id, "confidence": m.confidence, "why": list(m.why[:3])} for m in matches],
    }


def format_report(report: Report, failures: bool = True) -> str:
    """The figures as text; ``failures=False`` leaves out the per-line list (for a held-out set)."""
    s = report.summary()

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    lines = [
        f"questions {s['questions']}  answerable {s['answerable']}  off-topic {s['offtopic']}",
        f"top-1 {pct(s['top1'])}  top-3 {pct(s['top3'])}",
        f"auto-replies {s['auto_replies']}  precision {pct(s['auto_reply_precision'])}  coverage {pct(s['auto_reply_coverage'])}",
        f"off-topic silence {pct(s['offtopic_silence'])}",
        "calibration (top confidence -> accuracy): "
        + ", ".join(f"{k}: {pct(v['accuracy'])} of {v['n']}" for k, v in s["calibration"].items()),
    ]
    if len(s["kinds"]) > 1:
        lines.append(
            "by kind (top-1, auto-replies, precision): "
            + ", ".join(
                f"{k} {v['n']}: {pct(v['top1'])}, {v['auto_replies']}, {pct(v['precision'])}"
                for k, v in s["kinds"].items()
            )
        )
    if report.failures and failures:
        lines.append(f"failures ({len(report.failures)}):")
        for f in report.failures:
            got = "; ".join(f"{g['id']} {g['confidence']:.2f}" for g in f["got"]) or "nothing"
            lines.append(f"  {f['id']}: {f['what']}: expected {json.dumps(f['expect'], ensure_ascii=False)}; got {got}")
    return "\n".join(lines)
