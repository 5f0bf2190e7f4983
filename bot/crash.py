"""Reading Apple crash reports: the JSON ``.ips`` format and the classic ``.crash`` text.

Only what identifies a crash is kept: exception type and codes, signal, the crashed thread's
queue and its top frames. Those become signatures the knowledge base's patterns match.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

TOP_FRAMES = 6
MAX_IPS_CHARS = 4_000_000  # a real .ips is well under a megabyte; bigger JSON is not parsed
MAX_JSON_DEPTH = 64  # a real .ips nests about 8 deep; json's C parser recurses and fails at ~1000
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')  # UTF-8 never hides these in a multi-byte char
_JSON_STRING_RE = re.compile(rb'"[^"]*"')
_DEEP_RUN_RE = re.compile(rb"[\[{]{" + str(MAX_JSON_DEPTH + 1).encode() + rb"}")
_EXC_TYPE_RE = re.compile(r"^Exception Type:\s+(\S+)(?:\s+\((\w+)\))?", re.MULTILINE)
_EXC_CODES_RE = re.compile(r"^Exception Codes:\s+(.{1,200})$", re.MULTILINE)
_TRIGGERED_RE = re.compile(r"^Triggered by Thread:\s+(\d+)", re.MULTILINE)
_CRASHED_RE = re.compile(r"^Thread (\d+) Crashed:", re.MULTILINE)
_FRAME_RE = re.compile(r"^\d+\s+(\S+)\s+0x[0-9a-fA-F]+\s+(.{1,300})$")
_ASI_RE = re.compile(r"^Application Specific Information:\n(.{1,400})$", re.MULTILINE)
_TERMINATION_RE = re.compile(r"^Termination Reason:\s+(.{1,200})$", re.MULTILINE)


@dataclass
class CrashInfo:
    exception_type: str = ""
    signal: str = ""
    codes: str = ""
    queue: str = ""
    frames: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # application-specific info, termination

    def signatures(self) -> list[str]:
        """The identifying strings, most specific first."""
        out = [s for s in (self.exception_type, self.signal, self.queue) if s]
        out += self.frames
        out += self.extra
        return out

    def summary_line(self) -> str:
        """One line appended to the analysed text so patterns see parsed crash facts."""
        parts = [self.exception_type, f"({self.signal})" if self.signal else "", self.codes]
        if self.queue:
            parts.append(f"crashed queue: {self.queue}")
        if self.frames:
            parts.append("top frames: " + " | ".join(self.frames))
        parts += self.extra
        return "crash: " + " ".join(p for p in parts if p)


def parse_crash(text: str) -> CrashInfo | None:
    """Parse a crash report pasted or attached; None when the text is not one."""
    head = text.lstrip()[:4096]
    if head.startswith("{") and ("bug_type" in head or "incident" in head or '"exception"' in text[:200_000]):
        info = _parse_ips(text)
        if info is not None:
            return info
    if "Exception Type:" in text:
        return _parse_classic(text)
    return None


def _frame_name(frame: dict[str, Any], images: list[dict[str, Any]]) -> str:
    symbol = frame.get("symbol")
    if isinstance(symbol, str) and symbol:
        return symbol
    index = frame.get("imageIndex")
    if isinstance(index, int) and 0 <= index < len(images):
        return str(images[index].get("name", "?"))
    return "?"


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when JSON text nests deeper than ``limit`` (or its brackets do not balance).

    Checked without recursion and in C-speed passes: escapes and everything but brackets and
    quotes are dropped, then strings, then innermost bracket pairs one level per pass.
    """
    raw = text.encode("utf-8", "surrogatepass").replace(b"\\\\", b"").replace(b'\\"', b"")
    # Removing two adjacent quotes keeps every later quote paired as before (an empty string,
    # or a string's end and the next one's start with no structure between them).
    skeleton = raw.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    brackets = _JSON_STRING_RE.sub(b"", skeleton) if b'"' in skeleton else skeleton
    for _ in range(limit):
        if not brackets:
            return False
        if _DEEP_RUN_RE.search(brackets):
            return True
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            return True  # unbalanced: not JSON we could parse anyway
        brackets = shorter
    return bool(brackets)


def _load_json(text: str) -> Any:
    """Parsed JSON, or None for text that is not JSON, too big or too deep to parse safely."""
    if not text.strip() or len(text) > MAX_IPS_CHARS or json_too_deep(text):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: belt and braces, json_too_deep should stop it
        return None


def _parse_ips(text: str) -> CrashInfo | None:
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    header = _load_json(first)
    body: Any = _load_json(rest) if header is not None and rest.strip() else header
    if body is None:
        body = _load_json(stripped)
    if not isinstance(body, dict):
        return None
    info = CrashInfo()
    exc = body.get("exception") or {}
    if isinstance(exc, dict):
        info.exception_type = str(exc.get("type", ""))
        info.signal = str(exc.get("signal", ""))
        info.codes = str(exc.get("codes", ""))
        if exc.get("subtype"):
            info.codes = f"{info.codes} {exc['subtype']}".strip()
    asi = body.get("asi")
    if isinstance(asi, dict):
        for lines in asi.values():
            if isinstance(lines, list):
                info.extra += [str(x)[:300] for x in lines[:3]]
    term = body.get("termination")
    if isinstance(term, dict) and term.get("indicator"):
        info.extra.append(str(term["indicator"])[:200])
    threads = body.get("threads")
    used = body.get("usedImages")
    images: list[dict[str, Any]] = [i for i in used if isinstance(i, dict)] if isinstance(used, list) else []
    if isinstance(threads, list) and threads:
        index = body.get("faultingThread")
        crashed = next((t for t in threads if isinstance(t, dict) and t.get("triggered")), None)
        if crashed is None and isinstance(index, int) and 0 <= index < len(threads):
            crashed = threads[index]
        if isinstance(crashed, dict):
            info.queue = str(crashed.get("queue", "") or crashed.get("name", ""))
            frames = crashed.get("frames")
            if isinstance(frames, list):
                info.frames = [_frame_name(f, images) for f in frames[:TOP_FRAMES] if isinstance(f, dict)]
    if not (info.exception_type or info.frames):
        return None
    return info


def _line_search(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``regex.search(text)`` for a ``^literal...`` MULTILINE pattern, begun at the literal's first occurrence.

    A regex led by ``^`` gets no fast literal scan: it is tried at every character of a
    report. Every match starts with the literal, and ``^`` still looks at the character
    before the start position, so the search finds the same match.
    """
    start = text.find(_LEADING_LITERAL[regex])
    return None if start < 0 else regex.search(text, start)


def _parse_classic(text: str) -> CrashInfo:
    info = CrashInfo()
    m = _line_search(_EXC_TYPE_RE, text)
    if m:
        info.exception_type = m.group(1)
        info.signal = m.group(2) or ""
    m = _line_search(_EXC_CODES_RE, text)
    if m:
        info.codes = m.group(1).strip()
    m = _line_search(_ASI_RE, text)
    if m:
        info.extra.append(m.group(1).strip())
    m = _line_search(_TERMINATION_RE, text)
    if m:
        info.extra.append(m.group(1).strip())
    m = _line_search(_TRIGGERED_RE, text) or _line_search(_CRASHED_RE, text)
    if m:
        thread = m.group(1)
        name = _thread_search(thread, " name:", r"\s+(.{1,200})$", text)
        if name:
            info.queue = name.group(1).removeprefix("Dispatch queue:").strip()
        block = _thread_search(thread, " Crashed:", ".*$", text)
        if block:
            lines = text[block.end() :].lstrip("\n").split("\n", TOP_FRAMES + 1)[:TOP_FRAMES]
            for line in lines:
                fm = _FRAME_RE.match(line.strip())
                if not fm:
                    break
                symbol = re.sub(r"\s+\+\s+\d+$", "", fm.group(2)).strip()
                info.frames.append(symbol if not symbol.startswith("0x") else fm.group(1))
    return info


def _thread_search(thread: str, label: str, rest: str, text: str) -> re.Match[str] | None:
    """``re.search(rf"^Thread {thread}{label}{rest}", text, re.MULTILINE)``, begun where its literal first stands."""
    literal = f"Thread {thread}{label}"
    start = text.find(literal)
    return None if start < 0 else re.compile("^" + re.escape(literal) + rest, re.MULTILINE).search(text, start)


# What each line pattern starts with after its "^" (a test checks every one).
_LEADING_LITERAL = {
    _EXC_TYPE_RE: "Exception Type:",
    _EXC_CODES_RE: "Exception Codes:",
    _ASI_RE: "Application Specific Information:\n",
    _TERMINATION_RE: "Termination Reason:",
    _TRIGGERED_RE: "Triggered by Thread:",
    _CRASHED_RE: "Thread ",
}
