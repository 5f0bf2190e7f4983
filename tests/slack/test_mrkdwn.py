"""Markdown to mrkdwn, escaping, mention safety and Block Kit limits (pure functions)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.mrkdwn import inline, link, split, to_mrkdwn
from adapters.slack.render import MAX_BLOCKS, answer_message, entry_message, text_message
from adapters.slack.safety import WORD_JOINER, cut, escape, from_slack, guard
from bot.models import Answer, Combined, Entry, KnownIssue, Link, Match, Outcome
from tests.core import widget_explained

PING = re.compile(r"<!|<@|(?<![\w\u2060])@(channel|here|everyone)\b", re.IGNORECASE)


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and __bold__", "*bold* and *bold*"),
        ("*italic* and _italic_", "_italic_ and _italic_"),
        ("~~gone~~", "~gone~"),
        ("[Apple](https://developer.apple.com/a?b=1&c=2)", "<https://developer.apple.com/a?b=1&amp;c=2|Apple>"),
        ("see <https://example.com/x>", "see <https://example.com/x>"),
        ("see https://example.com/x.", "see <https://example.com/x>."),
        ("`a < b && *c*`", "`a &lt; b &amp;&amp; *c*`"),
        ("# Title", "*Title*"),
        ("### Deeper **title**", "*Deeper title*"),
        ("- one\n- two", "• one\n• two"),
        ("* one\n  * nested", "• one\n    • nested"),
        ("1. first\n2. second", "1. first\n2. second"),
        ("- [x] done\n- [ ] todo", "• ☑ done\n• ☐ todo"),
        ("> quoted <b>", "> quoted &lt;b&gt;"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("\\*not italic\\*", "*not italic*"),
        ("---", "──────────"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("[label](relative/path.md)", "label"),
    ],
)
def test_conversion(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


def test_code_blocks_keep_their_content_and_drop_the_language() -> None:
    md = "Before:\n\n```swift\nlet x = a < b // **not bold** [not](https://x.y)\n```\nAfter **bold**."
    assert to_mrkdwn(md) == ("Before:\n\n```\nlet x = a &lt; b // **not bold** [not](https://x.y)\n```\nAfter *bold*.")


def test_an_unclosed_code_block_is_closed() -> None:
    assert to_mrkdwn("```\ncode").endswith("```\ncode\n```")


def test_links_cannot_break_out() -> None:
    assert link("https://x.y/a|b>c", "t|x") == "t|x"  # a URL that would end the <link> early is not linked
    assert link("https://x.y/a?b=1&c=2", "t|x") == "<https://x.y/a?b=1&amp;c=2|t/x>"
    assert link("javascript:alert(1)", "click") == "click"
    assert link("https://x.y") == "<https://x.y>"


def test_pings_are_never_produced() -> None:
    md = "Hey @everyone and @here, <!channel> <!subteam^S1|team> <@U1> [@channel](https://x.y) `<!here>`"
    out = to_mrkdwn(md)
    assert not PING.search(out), out
    assert "@" + WORD_JOINER + "everyone" in out
    assert escape("<!here>") == "&lt;!here&gt;"


@settings(deadline=None)  # a busy CI machine must not turn a slow example into a failure
@given(st.text(alphabet=st.sampled_from(list("<>!@&*_`~[]()|#\\-: \nachnelvryoheuspt^S1")), max_size=200))
def test_no_markdown_can_produce_a_ping(md: str) -> None:
    assert not PING.search(to_mrkdwn(md))
    assert not PING.search(inline(md))


def test_guard_is_a_last_line_of_defence() -> None:
    payload = {
        "text": "<!channel> hi",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "<@U1> <!here> @everyone <#C1>"}},
            {"type": "header", "text": {"type": "plain_text", "text": "<!everyone> title"}},
        ],
    }
    out = guard(payload)
    assert not PING.search(json.dumps(out, ensure_ascii=False))
    assert "<#C1>" in out["blocks"][0]["text"]["text"]  # channel links are not pings


def test_from_slack_decodes_markup() -> None:
    text = "<@U1> see <https://x.y/a|the doc> and <#C1|help>, <!here> a &lt; b &amp;&amp; c &gt; d <https://z.z>"
    assert from_slack(text) == "@U1 see the doc (https://x.y/a) and #help, @here a < b && c > d https://z.z"


def test_split_respects_the_limit_and_code_blocks() -> None:
    text = "intro\n```\n" + "\n".join(f"line {i} " + "x" * 50 for i in range(100)) + "\n```\noutro"
    pieces = split(text, 500)
    assert len(pieces) > 5
    assert all(len(p) <= 500 for p in pieces)
    assert all(p.count("```") % 2 == 0 for p in pieces)
    joined = "\n".join(pieces)
    assert "line 99" in joined and "outro" in pieces[-1]


def test_cut_does_not_split_entities_links_or_fences() -> None:
    assert cut("a &amp; b", 5) == "a …"
    assert cut("see <https://example.com/long|x> more", 15) == "see …"
    out = cut("```\n" + "code " * 100, 60)
    assert out.count("```") == 2 and len(out) <= 60


def entry(**kw: object) -> Entry:
    base = dict(id="e1", kind="error", title="Title", summary="Summary.", body="Body **bold**.")
    base.update(kw)
    return Entry(**base)  # type: ignore[arg-type]


def test_entry_message_has_known_issue_and_links() -> None:
    e = entry(
        links=(Link("Docs", "https://developer.apple.com/x"),),
        known_issue=KnownIssue("workaround", "iOS 18", "", "Restart <it>.", "2026-11-01"),
    )
    text = json.dumps(entry_message(e, frozenset()), ensure_ascii=False)
    assert "<https://developer.apple.com/x|Docs>" in text
    assert ":warning: *Known issue* (workaround)" in text and "*Fixed in:* not fixed yet" in text
    assert "Restart &lt;it&gt;." in text and "Last verified 2026-11-01" in text


def huge(i: int) -> Entry:
    return entry(
        id=f"h{i}",
        title="T" * 400,
        summary="S " * 2000,
        body="**What to do**\n" + "\n".join("- item " + "y" * 2000 for _ in range(20)),
        links=tuple(Link("L" * 300, f"https://developer.apple.com/{j}") for j in range(9)),
        known_issue=KnownIssue("open", "A" * 900, "", "W " * 2000, "2026-01-01"),
    )


def combined_answer() -> Answer:
    cause, outer = Match(huge(1), 0.95, ()), Match(huge(2), 0.94, ())
    c = Combined(outer, cause, True, "O" * 300, "C" * 300)
    others = tuple(Match(entry(id=f"o{i}", title="O" * 200), 0.1, ()) for i in range(9))
    return Answer(Outcome.ANSWER, (*c.parts, *others), True, 5, combined=c)


@pytest.mark.parametrize("combined", [False, True])
def test_limits_hold_for_huge_entries(combined: bool) -> None:
    e = entry(title="T" * 400, body="\n\n".join("para " + "y" * 2000 for _ in range(200)))
    answer = Answer(
        Outcome.ANSWER,
        (Match(e, 0.99, ()), *(Match(entry(id=f"o{i}", title="O" * 200), 0.1, ()) for i in range(9))),
        True,
        5,
    )
    msg = answer_message(combined_answer() if combined else answer, frozenset())
    assert len(msg["blocks"]) <= MAX_BLOCKS
    assert len(msg["blocks"][0]["text"]["text"]) <= 150
    for block in msg["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
    ids = [e["action_id"] for b in msg["blocks"] for e in b.get("elements", []) if "action_id" in e]
    assert len(ids) == len(set(ids))
    assert len(text_message("z" * 500_000)["blocks"]) <= MAX_BLOCKS


def test_the_short_answer_and_the_combined_one_cannot_ping() -> None:
    hostile = entry(
        title="<!channel> Title @here",
        summary="Ask @everyone <@U1>. Then more.",
        body="**What to check first**\n- <!here> first\n- `<!subteam^S1>` second\n- [@channel](https://x.y) third",
        links=(Link("<!everyone>", "https://developer.apple.com/x"),),
    )
    single = Answer(Outcome.ANSWER, (Match(hostile, 0.9, ()),), True, 1)
    c = Combined(Match(hostile, 0.9, ()), Match(replace(hostile, id="h2"), 0.9, ()), True, "<!here> -1", "@channel")
    both = Answer(Outcome.ANSWER, c.parts, True, 2, combined=c)
    for answer in (single, both):
        text = json.dumps(answer_message(answer, frozenset()), ensure_ascii=False)
        assert not PING.search(text), text
        assert "first" in text and "second" in text  # the checks were rendered, defused


def test_unknown_code_and_nothing_outcomes() -> None:
    unknown = Answer(Outcome.UNKNOWN_CODE, (), False, 3, ("input cut", "NSURLErrorDomain -4242: post the full error"))
    text = json.dumps(answer_message(unknown, frozenset(), notes=["x.png was not read"]), ensure_ascii=False)
    assert "Unknown error code" in text and "-4242: post the full error" in text
    assert "input cut" in text and "x.png was not read" in text
    nothing = Answer(Outcome.NOTHING, (), False, 4)
    text = json.dumps(answer_message(nothing, frozenset(), asked="what <!here> is"), ensure_ascii=False)
    assert "Nothing in the knowledge base" in text and "what &lt;!here&gt; is" in text


def test_a_combined_answer_shows_the_known_issue_of_the_error_it_explains() -> None:
    noted, plain = widget_explained()
    assert "macOS 99" in json.dumps(answer_message(noted, frozenset()))
    text = json.dumps(answer_message(plain, frozenset()))
    assert "Known issue" not in text and "macOS 99" not in text
