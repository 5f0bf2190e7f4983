"""Discord's validation rules the fake enforces, and who a message would ping.

Each check returns a list of problems; the fake answers 400 (code 50035, Invalid Form Body)
when there is any, as Discord does.
"""

from __future__ import annotations

import re
from typing import Any

NAME_RE = re.compile(r"^[-_a-z0-9]{1,32}$")


def check_embeds(embeds: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(embeds) > 10:
        problems.append("more than 10 embeds")
    total = 0
    for e in embeds:
        for key, limit in (("title", 256), ("description", 4096)):
            value = e.get(key) or ""
            total += len(value)
            if len(value) > limit:
                problems.append(f"embed {key} longer than {limit}")
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.append("more than 25 fields")
        for f in fields:
            total += len(f.get("name", "")) + len(f.get("value", ""))
            if not f.get("name") or len(f["name"]) > 256:
                problems.append("field name empty or longer than 256")
            if not f.get("value") or len(f["value"]) > 1024:
                problems.append("field value empty or longer than 1024")
        footer = (e.get("footer") or {}).get("text") or ""
        total += len(footer)
        if len(footer) > 2048:
            problems.append("footer longer than 2048")
        url = e.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            problems.append("embed url is not http(s)")
    if total > 6000:
        problems.append(f"embeds total {total} characters, over 6000")
    return problems


def check_components(rows: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(rows) > 5:
        problems.append("more than 5 action rows")
    ids: set[str] = set()
    for row in rows:
        if row.get("type") != 1:
            problems.append("top-level component is not an action row")
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            problems.append("an action row needs 1 to 5 components")
        if any(c.get("type") == 3 for c in children) and len(children) != 1:
            problems.append("a select menu must be alone in its row")
        for c in children:
            cid = c.get("custom_id")
            if cid is not None:
                if not 1 <= len(cid) <= 100:
                    problems.append(f"custom_id length {len(cid)}")
                if cid in ids:
                    problems.append(f"duplicate custom_id {cid}")
                ids.add(cid)
            if c.get("type") == 2 and len(c.get("label") or "") > 80:
                problems.append("button label longer than 80")
            if c.get("type") == 3:
                options = c.get("options") or []
                if not 1 <= len(options) <= 25:
                    problems.append("a select needs 1 to 25 options")
                for o in options:
                    if not 1 <= len(o.get("label", "")) <= 100 or not 1 <= len(o.get("value", "")) <= 100:
                        problems.append("select option label/value must be 1 to 100 characters")
                    if len(o.get("description") or "") > 100:
                        problems.append("select option description longer than 100")
    return problems


def check_message(body: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    content = body.get("content") or ""
    if len(content) > 2000:
        problems.append("content longer than 2000")
    problems += check_embeds(body.get("embeds") or [])
    problems += check_components(body.get("components") or [])
    if not content and not body.get("embeds") and not body.get("attachments") and not body.get("components"):
        problems.append("cannot send an empty message")
    return problems


def check_modal(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not 1 <= len(data.get("title") or "") <= 45:
        problems.append("modal title must be 1 to 45 characters")
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        problems.append("a modal needs 1 to 5 components")
    for comp in comps:
        inner = comp.get("component") if comp.get("type") == 18 else (comp.get("components") or [{}])[0]
        if comp.get("type") == 18 and not 1 <= len(comp.get("label") or "") <= 45:
            problems.append("label text must be 1 to 45 characters")
        too_long = len(inner.get("value") or "") > 4000 or (inner.get("max_length") or 0) > 4000
        if inner.get("type") == 4 and too_long:
            problems.append("text input value longer than 4000")
    return problems


def check_choices(choices: list[dict[str, Any]]) -> list[str]:
    problems = ["more than 25 choices"] if len(choices) > 25 else []
    for c in choices:
        if not 1 <= len(c.get("name", "")) <= 100 or len(str(c.get("value", ""))) > 100:
            problems.append("choice name must be 1 to 100 characters, value at most 100")
    return problems


def check_commands(commands: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []

    def options(opts: list[dict[str, Any]], where: str) -> None:
        if len(opts) > 25:
            problems.append(f"{where}: more than 25 options")
        seen_optional = False
        for o in opts:
            if not NAME_RE.match(o.get("name", "")):
                problems.append(f"{where}: bad option name {o.get('name')!r}")
            if not 1 <= len(o.get("description", "")) <= 100:
                problems.append(f"{where}.{o.get('name')}: description must be 1 to 100 characters")
            if o.get("type") in (1, 2):
                options(o.get("options") or [], f"{where} {o['name']}")
                continue
            if o.get("required"):
                if seen_optional:
                    problems.append(f"{where}: required option {o['name']} after an optional one")
            else:
                seen_optional = True

    for c in commands:
        name = c.get("name", "")
        if c.get("type", 1) == 1:
            if not NAME_RE.match(name):
                problems.append(f"bad command name {name!r}")
            if not 1 <= len(c.get("description", "")) <= 100:
                problems.append(f"/{name}: description must be 1 to 100 characters")
            options(c.get("options") or [], f"/{name}")
        elif not 1 <= len(name) <= 32:
            problems.append(f"bad menu name {name!r}")
    return problems


def pings(content: str, allowed: dict[str, Any] | None, replied_author: str | None) -> list[str]:
    """Who Discord would notify for this content under these allowed_mentions."""
    if allowed is None:
        parse, users, roles, replied = {"everyone", "users", "roles"}, [], [], True
    else:
        parse = set(allowed.get("parse") or [])
        users = [str(u) for u in allowed.get("users") or []]
        roles = [str(r) for r in allowed.get("roles") or []]
        replied = bool(allowed.get("replied_user", False))
    out: list[str] = []
    if re.search(r"@(everyone|here)\b", content) and "everyone" in parse:
        out.append("everyone")
    for uid in re.findall(r"<@!?(\d+)>", content):
        if "users" in parse or uid in users:
            out.append(f"user:{uid}")
    for rid in re.findall(r"<@&(\d+)>", content):
        if "roles" in parse or rid in roles:
            out.append(f"role:{rid}")
    if replied_author is not None and replied:
        out.append(f"replied:{replied_author}")
    return out
