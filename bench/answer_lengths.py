"""How long the first message of an answer is, for every curated entry, on Discord and Slack.

Renders each bundled entry as a confident answer through the real renderers and counts the
text a reader sees: titles, descriptions, field names and values, footers (Discord); header,
section and context texts (Slack). Markup is not counted (link targets, ``**``, backticks,
``*``), button labels and the asker's echoed question are not either. Target: <= ~600.

    python bench/answer_lengths.py            # max, median, min per platform
    python bench/answer_lengths.py --each     # one line per entry, longest first

Combined answers ("-1202 because -9813") are measured on a few pastes written for this script.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.discord.render import answer_embeds  # noqa: E402
from adapters.slack.render import answer_blocks  # noqa: E402
from bot.curator import assemble  # noqa: E402
from bot.knowledge.tree import read_hosts, read_knowledge  # noqa: E402
from bot.models import Answer, Entry, Incoming, Match, Mode, Outcome  # noqa: E402
from bot.settings import EngineSettings  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402

PASTES = (
    "Task <A1>.<1> HTTP load failed, 0/0 bytes (error code: -1202 [3:-9813])",
    "Task <A2>.<4> HTTP load failed, 0/0 bytes (error code: -1200 [3:-9816])",
    'Error Domain=NSURLErrorDomain Code=-1005 "The network connection was lost." UserInfo={NSUnderlyingError='
    '0x600 {Error Domain=kCFErrorDomainCFNetwork Code=-1005 "(null)" UserInfo={_kCFStreamErrorCodeKey=57, '
    "_kCFStreamErrorDomainKey=1}}, _kCFStreamErrorCodeKey=57, _kCFStreamErrorDomainKey=1}",
    # An error quoted in a question about the topic that explains it ("explained in").
    "Rolling our DNS proxy system extension out with Kandji, a few Macs fail activation with "
    "OSSystemExtensionErrorDomain code 10. Which payload in the MDM configuration profile approves the "
    "extension so users never have to allow it?",
)

_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")
_SLACK_LINK = re.compile(r"<[^|<>]*\|([^<>]*)>|<([^|<>]*)>")


def _unmark(text: str) -> str:
    return text.replace("**", "").replace("`", "").replace("\\", "")


def discord_visible(embed: dict[str, Any]) -> int:
    """Characters a reader sees in one embed."""
    parts = [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
    for f in embed.get("fields", []):
        parts += [f["name"], f["value"]]
    return sum(len(_unmark(_MD_LINK.sub(r"\1", p or ""))) for p in parts)


def slack_visible(blocks: list[dict[str, Any]]) -> int:
    """Characters a reader sees in a message's blocks (buttons aside)."""
    texts: list[str] = []
    for b in blocks:
        if b["type"] in ("header", "section"):
            texts.append(b["text"]["text"])
        elif b["type"] == "context":
            texts += [e["text"] for e in b["elements"]]
    total = 0
    for t in texts:
        t = _SLACK_LINK.sub(lambda m: m.group(1) or m.group(2), t)
        t = t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        total += len(t.replace("*", "").replace("`", ""))
    return total


def first_message(entry: Entry) -> tuple[int, int]:
    """(Discord, Slack) visible characters of ``entry`` answered confidently."""
    return sizes_of(Answer(Outcome.ANSWER, (Match(entry, 0.95, ()),), True, query_id=1))


def sizes_of(answer: Answer) -> tuple[int, int]:
    """(Discord, Slack) visible characters of an answer's first message."""
    hosts = read_hosts(ROOT / "knowledge" / "hosts.txt")
    embeds, _ = answer_embeds(answer, hosts)
    return sum(discord_visible(e.to_dict()) for e in embeds), slack_visible(answer_blocks(answer, hosts))


async def combined_sizes() -> list[tuple[str, int, int]]:
    """(headline, Discord, Slack) for each paste that gives a combined answer."""
    store = SQLiteStore(":memory:")
    await store.open()
    try:
        engine, curator = assemble(store, ROOT / "knowledge", EngineSettings())
        await curator.start()
        out = []
        for paste in PASTES:
            answer = await engine.answer(Incoming(paste, Mode.SLASH))
            if answer is not None and answer.combined is not None:
                out.append((answer.combined.headline, *sizes_of(answer)))
        return out
    finally:
        await store.close()


def main() -> None:
    entries = [e for e in read_knowledge(ROOT / "knowledge").entries if e.curated]
    sizes = {e.id: first_message(e) for e in entries}
    if "--each" in sys.argv:
        for eid, (d, s) in sorted(sizes.items(), key=lambda kv: -max(kv[1])):
            print(f"{d:5} {s:5}  {eid}")
    for i, name in enumerate(("Discord", "Slack")):
        values = [v[i] for v in sizes.values()]
        print(
            f"{name:8} entries {len(values)}  max {max(values)}  median {statistics.median(values):.0f}  "
            f"min {min(values)}  over 600: {sum(v > 600 for v in values)}"
        )
    for headline, d, s in asyncio.run(combined_sizes()):
        print(f"combined Discord {d}  Slack {s}  {headline[:70]}")


if __name__ == "__main__":
    main()
