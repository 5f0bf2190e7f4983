"""Catalog tables (``catalog/<name>.tsv``): one reference row per error code."""

from __future__ import annotations

from bot.knowledge.errors import KnowledgeError
from bot.knowledge.schema import CODE_MAX, CODE_MIN
from bot.models import Entry, ErrorRef

CATALOG_HEADER = ("domain", "code", "symbol", "meaning", "source")


def catalog_id(domain: str, code: int) -> str:
    return f"code:{domain}:{code}"


def parse_catalog_bytes(data: bytes, where: str, name: str) -> list[tuple[int, Entry]]:
    """Parse one table's bytes; returns (line, entry) pairs or raises every problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([f"{where}:1: not UTF-8 text ({exc.reason})"]) from None
    return parse_catalog_text(text, where, name)


def _row(fields: list[str], where: str, number: int, name: str) -> Entry | str:
    """One row as an entry, or the problem with it."""
    if len(fields) != len(CATALOG_HEADER):
        return f"{where}:{number}: expected 5 tab-separated fields, found {len(fields)}"
    domain, code_text, symbol, meaning, source = (f.strip() for f in fields)
    try:
        code = int(code_text)
    except ValueError:
        return f"{where}:{number}: code '{code_text}' is not an integer"
    if not CODE_MIN <= code <= CODE_MAX:
        return f"{where}:{number}: code {code} is out of range for an error code"
    if not domain or not symbol:
        return f"{where}:{number}: domain and symbol must not be empty"
    if not meaning:
        return f"{where}:{number}: meaning must not be empty"
    return catalog_entry(name, domain, code, symbol, meaning, source)


def parse_catalog_text(text: str, where: str, name: str) -> list[tuple[int, Entry]]:
    problems: list[str] = []
    rows: list[tuple[int, Entry]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    if tuple(lines[0].split("\t")) != CATALOG_HEADER:
        raise KnowledgeError([f"{where}:1: header must be: {chr(9).join(CATALOG_HEADER)} (tab-separated)"])
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        row = _row(line.split("\t"), where, number, name)
        if isinstance(row, str):
            problems.append(row)
        else:
            rows.append((number, row))
    if problems:
        raise KnowledgeError(problems)
    return rows


def catalog_entry(name: str, domain: str, code: int, symbol: str, meaning: str, source: str) -> Entry:
    return Entry(
        id=catalog_id(domain, code),
        kind="reference",
        title=f"{symbol} ({domain} {code})",
        summary=meaning,
        errors=(ErrorRef(domain, code, symbol),),
        catalog=name,
        source=source,
    )


def render_catalog(entries: list[Entry]) -> str:
    """The canonical text of one catalog table."""
    lines = ["\t".join(CATALOG_HEADER)]
    for e in sorted(entries, key=lambda x: (x.errors[0].domain, x.errors[0].code)):
        err = e.errors[0]
        fields = (err.domain, str(err.code), err.symbol, e.summary, e.source)
        lines.append("\t".join(_one_line(f) for f in fields))
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())
