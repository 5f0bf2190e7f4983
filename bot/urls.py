"""Strict link URLs: what the knowledge base may link to, finding links in Markdown, escaping them.

A link is posted into chat as Markdown, so a URL that carries Markdown or HTML syntax can
smuggle a second link (``https://developer.apple.com/x)[Sign in](https://evil.example/``) or
point somewhere other than it reads (``https://evil.example\\@developer.apple.com/``). The rule
is therefore narrower than RFC 3986: https only, an ASCII host from the allow-list, no
user-info or port, and a path, query and fragment made only of characters that mean nothing
to Markdown, with everything else percent-encoded.
"""

from __future__ import annotations

import re
from urllib.parse import quote

MAX_URL = 2048
# RFC 3986 unreserved and reserved characters, minus ( ) [ ] which Markdown reads as syntax.
_SAFE_CHARS = "-._~!$&'*+,;=:@/?#%"
_TAIL_RE = re.compile(r"[A-Za-z0-9\-._~!$&'*+,;=:@/?#%]*")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_AUTHORITY_END_RE = re.compile(r"[/?#]")

# Where links hide in Markdown: inline [text](dest), autolinks <scheme:...>, reference
# definitions [id]: dest, and bare scheme://... text. Every repeat is bounded or linear.
_INLINE_RE = re.compile(r"\]\([ \t]{0,3}<?((?:[^\s()<>]|\([^\s()<>]{0,200}\)){1,2048})")
_AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]{1,2048})>")
_REFERENCE_RE = re.compile(r"^ {0,3}\[[^\]\n]{1,200}\]:[ \t]{0,8}<?(\S{1,2048})", re.MULTILINE)
_BARE_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}://[A-Za-z0-9][^\s<>()\[\]\"'`]{1,2048}")
_CODE_RE = re.compile(r"```.*?```|`[^`\n]{0,500}`", re.DOTALL)
_TRAILING_PUNCT = ".,;:!?*_~'"


def normalise_host(host: str) -> str | None:
    """The host as compared with the allow-list (lowercase, IDNA, no trailing dot), or None if invalid."""
    host = host[:-1] if host.endswith(".") else host  # "apple.com." is apple.com
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or len(labels) < 2 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return None
    return ascii_host


def url_problem(url: str, hosts: frozenset[str] = frozenset()) -> str | None:
    """Why ``url`` may not be linked, or None. ``hosts`` (normalised) is the allow-list; empty allows any host."""
    if len(url) > MAX_URL:
        return f"URL longer than {MAX_URL} characters"
    if not url.isprintable() or any(c.isspace() for c in url):
        return f"URL '{_show(url)}' has whitespace or control characters"
    if "\\" in url:
        return f"URL '{_show(url)}' has a backslash"
    if not url.startswith("https://"):
        return f"URL '{_show(url)}' must use https"
    rest = url[len("https://") :]
    end = _AUTHORITY_END_RE.search(rest)
    authority, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    if "@" in authority:
        return f"URL '{_show(url)}' has user information before the host"
    if ":" in authority:
        return f"URL '{_show(url)}' names a port; links use the default https port"
    host = normalise_host(authority)
    if host is None:
        return f"malformed URL '{_show(url)}' (no valid host name)"
    if not tail.isascii():
        return f"URL '{_show(url)}' has non-ASCII characters after the host; percent-encode them"
    if not _TAIL_RE.fullmatch(tail):
        bad = sorted({c for c in tail if c not in _SAFE_CHARS and not c.isalnum()})
        return f"URL '{_show(url)}' has characters Markdown reads as syntax ({' '.join(bad)}); percent-encode them"
    if _BAD_PERCENT_RE.search(tail):
        return f"URL '{_show(url)}' has a '%' that does not start a percent-encoded byte"
    if tail.count("#") > 1:
        return f"URL '{_show(url)}' has more than one '#'"
    if hosts and host not in hosts:
        return f"host '{host}' is not on the allow-list (knowledge/hosts.txt)"
    return None


def find_links(markdown: str) -> list[str]:
    """Every link target in a Markdown text (inline, autolink, reference, bare), first-seen order."""
    found: dict[str, None] = {}
    markdown = _CODE_RE.sub(" ", markdown)  # chat clients do not make links of code
    for regex in (_INLINE_RE, _AUTOLINK_RE, _REFERENCE_RE):
        for m in regex.finditer(markdown):
            found.setdefault(m.group(1).rstrip(">"))
    for m in _BARE_RE.finditer(markdown):
        found.setdefault(m.group(0).rstrip(_TRAILING_PUNCT))
    return list(found)


def escape_url(url: str) -> str:
    """``url`` safe inside Markdown ``[text](...)`` or ``<...>``: anything Markdown could read
    as syntax, and any '%' that does not start an escape, is percent-encoded."""
    url = _BAD_PERCENT_RE.sub("%25", url)
    return quote(url, safe=_SAFE_CHARS)


def _show(url: str) -> str:
    """A URL for an error message: cut short, with odd characters shown as escapes."""
    shown = url.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 120 else shown[:117] + "..."
