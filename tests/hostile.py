"""Hostile texts and knowledge bodies, and checks for what a chat client would make of the bot's
output: which links would be live (and to which host, as a browser reads the URL) and which
sequences would ping. Shared by the Discord and Slack rendering tests.

The checks are written independently of the renderers: a URL's host is read the way a browser
reads it (user info before ``@`` dropped, ``\\`` taken as a path separator), so a URL that only
looks like an allowed one counts as a link to the host it really opens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.models import Entry, ErrorRef, KnownIssue, Link

EVIL = "evil.example"
ALIAS = "hostile rendering check"
CODE_TEXT = "Error Domain=NSURLErrorDomain Code=-7654321"  # the hostile entry's own error: a confident answer

# What a member types. Each is also asked together with an unknown code (an echo, no answer).
USER_TEXTS = [
    "[Official Apple fix](https://evil.example/login)",
    "<https://evil.example/login>",
    "see https://developer.apple.com@evil.example/login now",
    "see https://evil.example\\@developer.apple.com/ now",
    "``` closed the block early ``` [x](https://evil.example/a) `` ` `` [y](https://evil.example/b)",
    "@everyone @here <@&123456789012345678> <@123456789012345678> <!channel> <!here> <!subteam^S0123|team>",
    "[click](<https://evil.example/c>) [[nested]](https://evil.example/d) *bold* __u__ ||spoiler||",
]

HOSTILE_ENTRY = Entry(
    id="hostile-markup",
    kind="howto",
    title="Hostile [title](https://evil.example/t) @everyone",
    summary="See [the fix](https://developer.apple.com@evil.example/) <!channel> @everyone <https://evil.example/s>",
    body=(
        "[Official Apple fix](https://evil.example/login)\n"
        "<https://evil.example/a> and https://evil.example/b and https://evil.example\\@developer.apple.com/\n"
        "[fine](https://developer.apple.com/documentation/foundation/urlsession)\n"
        "[[nested]](https://evil.example/n) [x](<https://evil.example/angle>) <@&123456789012345678> <!subteam^S1>\n"
        "```\nunclosed fence https://evil.example/in-code\n"
    ),
    aliases=(ALIAS,),
    errors=(ErrorRef("NSURLErrorDomain", -7654321, "NSURLErrorHostile"),),
    links=(
        Link("Docs](https://evil.example/x) [y", "https://developer.apple.com/x) [y](https://evil.example/z"),
        Link("user info", "https://developer.apple.com@evil.example/"),
        Link("backslash", "https://evil.example\\@developer.apple.com/"),
        Link("plain http", "http://developer.apple.com/"),
        Link("Apple docs", "https://developer.apple.com/documentation/network"),
    ),
    known_issue=KnownIssue(
        status="open <!here>", workaround="[w](https://evil.example/w) <!subteam^S1> <@&123456789012345678>"
    ),
)

_URL = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*)://([^\s]*)")
_CODE = re.compile(r"```[\s\S]*?(?:```|\Z)|``[^`]+``|`[^`\n]+`")


def browser_host(rest: str) -> str:
    """The host a browser opens for ``scheme://rest``: the authority ends at ``/ \\ ? #``, and
    anything up to the last ``@`` in it is user info."""
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]
    match = re.match(r"[A-Za-z0-9.-]*", host)
    return (match.group(0) if match else "").lower().rstrip(".")


def foreign_urls(text: str, hosts: frozenset[str]) -> list[str]:
    """Every URL in ``text`` that is not https on an allowed host."""
    bad = []
    for m in _URL.finditer(text):
        if m.group(1).lower() != "https" or browser_host(m.group(2)) not in hosts:
            bad.append(m.group(0))
    return bad


def discord_live_links(text: str, hosts: frozenset[str]) -> list[str]:
    """URLs Discord would render as links (masked, ``<autolinks>`` or bare, outside code) that
    do not go to an allowed host."""
    return foreign_urls(_CODE.sub(" ", text), hosts)


def discord_texts(payload: dict[str, Any]) -> Iterator[str]:
    """Every rendered text of a Discord message: content, embed url, description, fields."""
    yield payload.get("content") or ""
    for embed in payload.get("embeds") or []:
        yield embed.get("url") or ""
        yield embed.get("description") or ""
        for f in embed.get("fields") or []:
            yield f.get("value") or ""


_SLACK_CONTROL = re.compile(r"<([^<>|]*)(?:\|[^<>]*)?>")


def slack_live_links(text: str, hosts: frozenset[str], verbatim: bool) -> list[str]:
    """Links and mentions Slack would render in mrkdwn: every ``<target|label>``; in text that
    is not verbatim (a message's top-level ``text``), bare URLs too."""
    bad = []
    for m in _SLACK_CONTROL.finditer(text):
        target = m.group(1)
        if (
            target[:1] in ("@", "!", "#")
            or not target.startswith("https://")
            or browser_host(target[len("https://") :]) not in hosts
        ):
            bad.append(m.group(0))
    if not verbatim:
        bad += foreign_urls(_SLACK_CONTROL.sub(" ", _CODE.sub(" ", text)), hosts)
    return bad


def slack_problems(value: Any, hosts: frozenset[str], verbatim: bool = False) -> list[str]:
    """Foreign links, mentions and broadcast words anywhere in a Slack payload's texts."""
    if isinstance(value, list):
        return [p for v in value for p in slack_problems(v, hosts, verbatim)]
    if not isinstance(value, dict):
        return []
    out: list[str] = []
    own = bool(value.get("verbatim")) or value.get("type") == "plain_text"
    for key, item in value.items():
        if key == "text" and isinstance(item, str):
            out += slack_live_links(item, hosts, verbatim=own)
            out += [m.group(0) for m in re.finditer(r"(?<![\w\u2060])@(channel|here|everyone)\b", item)]
        else:
            out += slack_problems(item, hosts, verbatim)
    return out
