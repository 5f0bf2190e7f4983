"""JSON for scripts: ``ask --json`` and ``ask --batch`` (the design's interface)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

from bot.engine import Engine
from bot.models import Answer, Combined, Match
from bot.policy import would_auto_reply
from bot.serialize import entry_to_dict

# A batch line is written by whoever made the file: bound what one line may cost.
MAX_LINE_BYTES = 2_000_000


def matches_json(matches: tuple[Match, ...]) -> list[dict[str, Any]]:
    """Matches in the shape design.md gives for ``ask --json``."""
    out = []
    for m in matches:
        d = entry_to_dict(m.entry)
        out.append(
            {
                "id": m.entry.id,
                "kind": m.entry.kind,
                "title": m.entry.title,
                "confidence": m.confidence,
                "errors": [{k: e[k] for k in ("domain", "code", "symbol")} for e in d["errors"]],
                "links": d["links"],
                "why": list(m.why),
            }
        )
    return out


def combined_json(c: Combined | None) -> dict[str, Any] | None:
    """A combined answer: its headline, the ids of the outer error's and the cause's entries, and
    whether the paste nested the cause inside the outer error (else a topic explains the error)."""
    if c is None:
        return None
    return {"headline": c.headline, "outer": c.outer.entry.id, "cause": c.cause.entry.id, "nested": c.nested}


def ask_json(answer: Answer) -> str:
    """One answer as the JSON document ``ask --json`` prints."""
    notes = [*answer.notes, answer.unknown_note] if answer.unknown_note else list(answer.notes)
    data = {
        "matches": matches_json(answer.matches),
        "auto_reply": answer.auto_reply,
        "outcome": answer.outcome.value,
        "notes": notes,
        "combined": combined_json(answer.combined),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _dump(row: dict[str, Any]) -> str:
    # ASCII escapes keep a lone surrogate in an id valid JSON and printable on any terminal.
    return json.dumps(row, ensure_ascii=True)


def _parse(number: int, raw: bytes) -> tuple[Any, str] | str:
    """(id, text) of one batch line, or why it cannot be answered."""
    if len(raw) > MAX_LINE_BYTES:
        return f"line is longer than {MAX_LINE_BYTES} bytes"
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except RecursionError:
        return "JSON nested too deeply"
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    if not isinstance(item, dict) or "id" not in item or "text" not in item:
        return 'not a JSON object with "id" and "text"'
    if not isinstance(item["id"], str | int | float | None):
        return '"id" must be a string or a number'
    if not isinstance(item["text"], str):
        return '"text" must be a string'
    return item["id"], item["text"]


def batch_lines(engine: Engine, lines: Iterable[bytes]) -> Iterator[str]:
    """One JSON line per input line; a bad line gets an error object and the batch goes on."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        parsed = _parse(number, raw)
        if isinstance(parsed, str):
            yield _dump({"line": number, "error": parsed})
            continue
        qid, text = parsed
        try:
            start = time.perf_counter()
            result = engine.search(text)
            elapsed = (time.perf_counter() - start) * 1000
            auto = would_auto_reply(result, engine.policy)
            row = {"id": qid, "matches": matches_json(result.matches), "auto_reply": auto}
            yield _dump({**row, "elapsed_ms": round(elapsed, 3)})
        except Exception as exc:  # one line never ends the batch; the error names the line
            yield _dump({"line": number, "id": qid, "error": f"{type(exc).__name__}: {exc}"})
