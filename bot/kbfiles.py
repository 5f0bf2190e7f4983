"""Reading and writing the ``knowledge/`` directory (format: ``knowledge/README.md``).

Reading collects every problem with its file and line before anything is used, so a bad
file never leads to a half-done import. Writing is canonical: reading a canonical tree and
writing it back gives the same bytes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domains import DomainTable, load_domains
from bot.models import KINDS, Entry, ErrorRef, KnownIssue, Link, SupportBotError

CATALOG_HEADER = ("domain", "code", "symbol", "meaning", "source")
FENCE = "+++"
_LINE_RE = re.compile(r"at line (\d+)")


class KnowledgeError(SupportBotError):
    """One or more knowledge files are malformed; ``problems`` holds ``file:line: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge files:\n{shown}{more}")


@dataclass
class KnowledgeSet:
    """Everything read from a knowledge directory."""

    root: Path
    entries: list[Entry]
    domains: DomainTable
    hosts: frozenset[str]
    files: dict[str, Path] = field(default_factory=dict)  # entry id -> file it came from


def catalog_id(domain: str, code: int) -> str:
    return f"code:{domain}:{code}"


def read_knowledge(root: Path) -> KnowledgeSet:
    """Read a knowledge directory, raising :class:`KnowledgeError` listing every problem."""
    if not root.is_dir():
        raise SupportBotError(f"knowledge directory not found: {root}")
    problems: list[str] = []
    try:
        domains = load_domains(root / "domains.toml")
    except SupportBotError as exc:
        problems.append(str(exc))
        domains = DomainTable((), {}, ())
    entries: list[Entry] = []
    files: dict[str, Path] = {}
    for path in sorted((root / "entries").glob("*.md")):
        try:
            entry = parse_entry_file(path)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        if entry.id in files:
            problems.append(f"{path}:1: duplicate id '{entry.id}' (also in {files[entry.id]})")
            continue
        entries.append(entry)
        files[entry.id] = path
    for path in sorted((root / "catalog").glob("*.tsv")):
        try:
            rows = parse_catalog_file(path)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        for line, entry in rows:
            if entry.id in files:
                problems.append(f"{path}:{line}: duplicate row '{entry.id}' (also in {files[entry.id]})")
                continue
            entries.append(entry)
            files[entry.id] = path
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeSet(root, entries, domains, read_hosts(root / "hosts.txt"), files)


def read_hosts(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.lstrip().startswith("#"))


# ---------------------------------------------------------------- curated entries


def parse_entry_file(path: Path) -> Entry:
    """Parse one ``entries/<id>.md`` file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([f"{path}:1: not UTF-8 text ({exc.reason})"]) from None
    return parse_entry_text(text, str(path), expected_id=path.stem)


def parse_entry_text(text: str, where: str, expected_id: str | None = None) -> Entry:
    """Parse front matter + body; ``where`` names the source in error messages."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise KnowledgeError([f"{where}:1: must start with a '+++' line (TOML front matter)"])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise KnowledgeError([f"{where}:1: front matter is not closed by a second '+++' line"]) from None
    front = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :]).strip()
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE_RE.search(str(exc))
        line = int(m.group(1)) + 1 if m else (end if "end of document" in str(exc) else 1)
        raise KnowledgeError([f"{where}:{line}: invalid TOML: {exc}"]) from None
    return entry_from_front_matter(data, body, where, front, expected_id)


def _line_of(front: str, needle: str, nth: int = 0) -> int:
    """1-based line in the file (front matter starts on line 2) of the nth line starting with needle."""
    seen = 0
    for i, line in enumerate(front.split("\n")):
        if line.lstrip().startswith(needle):
            if seen == nth:
                return i + 2
            seen += 1
    return 1


def entry_from_front_matter(
    data: dict[str, Any], body: str, where: str, front: str = "", expected_id: str | None = None
) -> Entry:
    """Check the schema of parsed front matter and build the entry."""
    problems: list[str] = []

    def bad(key: str, message: str, needle: str | None = None, nth: int = 0) -> None:
        problems.append(f"{where}:{_line_of(front, needle or key, nth)}: {key}: {message}")

    known = {
        "id",
        "kind",
        "title",
        "summary",
        "aliases",
        "tags",
        "patterns",
        "related",
        "errors",
        "links",
        "known_issue",
    }
    for key in data:
        if key not in known:
            bad(key, f"unknown field (expected one of: {', '.join(sorted(known))})")

    def text_field(key: str, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            bad(key, "must be a string")
            return ""
        if required and not value.strip():
            bad(key, "must not be empty")
        return value.strip()

    def str_list(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad(key, "must be a list of non-empty strings")
            return ()
        return tuple(v.strip() for v in value)

    entry_id = text_field("id")
    if entry_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", entry_id):
        bad("id", f"'{entry_id}' must be a lowercase slug (a-z, 0-9, -)")
    if expected_id is not None and entry_id and entry_id != expected_id:
        bad("id", f"'{entry_id}' does not match the file name '{expected_id}.md'")
    kind = text_field("kind")
    if kind and kind not in KINDS:
        bad("kind", f"'{kind}' is not one of {', '.join(KINDS)}")
    title = text_field("title")
    summary = text_field("summary")
    if len(summary) > 400:
        bad("summary", f"is {len(summary)} characters; keep it to 400 (the answer in one or two sentences)")

    errors: list[ErrorRef] = []
    raw_errors = data.get("errors", [])
    if not isinstance(raw_errors, list):
        bad("errors", "must be an array of tables ([[errors]])")
        raw_errors = []
    for i, e in enumerate(raw_errors):
        if not isinstance(e, dict):
            bad("errors", "must be an array of tables ([[errors]])", "[[errors]]", i)
            continue
        domain, code, symbol, role = e.get("domain"), e.get("code"), e.get("symbol", ""), e.get("role", "primary")
        if not isinstance(domain, str) or not domain:
            bad(f"errors[{i}].domain", "must be a non-empty string", "[[errors]]", i)
        elif not isinstance(code, int) or isinstance(code, bool):
            bad(f"errors[{i}].code", "must be an integer", "[[errors]]", i)
        elif not isinstance(symbol, str):
            bad(f"errors[{i}].symbol", "must be a string", "[[errors]]", i)
        elif role not in ("primary", "related"):
            bad(f"errors[{i}].role", "must be 'primary' or 'related'", "[[errors]]", i)
        else:
            extra = set(e) - {"domain", "code", "symbol", "role"}
            if extra:
                bad(f"errors[{i}]", f"unknown field(s) {', '.join(sorted(extra))}", "[[errors]]", i)
            errors.append(ErrorRef(domain, code, symbol, role))

    links: list[Link] = []
    raw_links = data.get("links", [])
    if not isinstance(raw_links, list):
        bad("links", "must be an array of tables ([[links]])")
        raw_links = []
    for i, link in enumerate(raw_links):
        if not isinstance(link, dict) or not isinstance(link.get("title"), str) or not isinstance(link.get("url"), str):
            bad(f"links[{i}]", "needs a string 'title' and a string 'url'", "[[links]]", i)
            continue
        if not link["title"].strip():
            bad(f"links[{i}].title", "must not be empty", "[[links]]", i)
        links.append(Link(link["title"].strip(), link["url"].strip()))

    known_issue = None
    ki = data.get("known_issue")
    if ki is not None:
        if not isinstance(ki, dict):
            bad("known_issue", "must be a table ([known_issue])")
        else:
            fields = {"status", "affects", "fixed_in", "workaround", "verified"}
            extra = set(ki) - fields
            if extra:
                bad("known_issue", f"unknown field(s) {', '.join(sorted(extra))}", "[known_issue]")
            values = {k: ki.get(k, "") for k in fields}
            if not all(isinstance(v, str) for v in values.values()):
                bad("known_issue", "every field must be a string", "[known_issue]")
            elif values["status"] not in ("open", "workaround", "fixed", "wontfix"):
                bad("known_issue.status", "must be open, workaround, fixed or wontfix", "status")
            elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", values["verified"]):
                bad("known_issue.verified", "must be a date YYYY-MM-DD", "verified")
            else:
                known_issue = KnownIssue(**{k: v.strip() for k, v in values.items()})

    related = str_list("related")
    if problems:
        raise KnowledgeError(problems)
    return Entry(
        id=entry_id,
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        errors=tuple(errors),
        patterns=str_list("patterns"),
        aliases=str_list("aliases"),
        tags=tuple(t.lower() for t in str_list("tags")),
        links=tuple(links),
        known_issue=known_issue,
        related=related,
    )


def _toml_str(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_list(values: tuple[str, ...]) -> str:
    items = [_toml_str(v) for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 96:
        return one_line
    return "[\n" + "".join(f"  {item},\n" for item in items) + "]"


def render_entry(entry: Entry) -> str:
    """The canonical text of an ``entries/<id>.md`` file."""
    out = [FENCE]
    out.append(f"id = {_toml_str(entry.id)}")
    out.append(f"kind = {_toml_str(entry.kind)}")
    out.append(f"title = {_toml_str(entry.title)}")
    out.append(f"summary = {_toml_str(entry.summary)}")
    for key in ("aliases", "tags", "patterns", "related"):
        values: tuple[str, ...] = getattr(entry, key)
        if values:
            out.append(f"{key} = {_toml_list(values)}")
    for err in entry.errors:
        out.append("")
        out.append("[[errors]]")
        out.append(f"domain = {_toml_str(err.domain)}")
        out.append(f"code = {err.code}")
        out.append(f"symbol = {_toml_str(err.symbol)}")
        if err.role != "primary":
            out.append(f"role = {_toml_str(err.role)}")
    for link in entry.links:
        out.append("")
        out.append("[[links]]")
        out.append(f"title = {_toml_str(link.title)}")
        out.append(f"url = {_toml_str(link.url)}")
    if entry.known_issue is not None:
        ki = entry.known_issue
        out.append("")
        out.append("[known_issue]")
        for key in ("status", "affects", "fixed_in", "workaround", "verified"):
            out.append(f"{key} = {_toml_str(getattr(ki, key))}")
    out.append(FENCE)
    text = "\n".join(out) + "\n"
    if entry.body.strip():
        text += entry.body.strip() + "\n"
    return text


# ---------------------------------------------------------------- catalog tables


def parse_catalog_file(path: Path) -> list[tuple[int, Entry]]:
    """Parse one ``catalog/<name>.tsv``; returns (line, entry) pairs."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([f"{path}:1: not UTF-8 text ({exc.reason})"]) from None
    return parse_catalog_text(text, str(path), path.stem)


def parse_catalog_text(text: str, where: str, name: str) -> list[tuple[int, Entry]]:
    problems: list[str] = []
    rows: list[tuple[int, Entry]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    if tuple(lines[0].split("\t")) != CATALOG_HEADER:
        raise KnowledgeError([f"{where}:1: header must be: {chr(9).join(CATALOG_HEADER)} (tab-separated)"])
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 5:
            problems.append(f"{where}:{number}: expected 5 tab-separated fields, found {len(fields)}")
            continue
        domain, code_text, symbol, meaning, source = (f.strip() for f in fields)
        try:
            code = int(code_text)
        except ValueError:
            problems.append(f"{where}:{number}: code '{code_text}' is not an integer")
            continue
        if not domain or not symbol:
            problems.append(f"{where}:{number}: domain and symbol must not be empty")
            continue
        if not meaning:
            problems.append(f"{where}:{number}: meaning must not be empty")
            continue
        rows.append((number, catalog_entry(name, domain, code, symbol, meaning, source)))
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


# ---------------------------------------------------------------- whole tree


def render_tree(entries: list[Entry]) -> dict[str, str]:
    """Relative path -> file text for every entry (curated files and catalog tables)."""
    files: dict[str, str] = {}
    tables: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.catalog:
            tables.setdefault(entry.catalog, []).append(entry)
        else:
            files[f"entries/{entry.id}.md"] = render_entry(entry)
    for name, rows in tables.items():
        files[f"catalog/{name}.tsv"] = render_catalog(rows)
    return files


def write_tree(root: Path, entries: list[Entry]) -> tuple[int, int]:
    """Mirror ``entries`` into ``root``: write changed files, remove files of deleted entries.

    Returns (files written, files removed). Files whose bytes would not change are left alone.
    """
    wanted = render_tree(entries)
    written = removed = 0
    for rel, text in wanted.items():
        path = root / rel
        data = text.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    for sub, pattern in (("entries", "*.md"), ("catalog", "*.tsv")):
        for path in (root / sub).glob(pattern):
            if f"{sub}/{path.name}" not in wanted:
                path.unlink()
                removed += 1
    return written, removed
