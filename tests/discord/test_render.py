"""Rendering stays inside Discord's limits whatever the knowledge base holds."""

from __future__ import annotations

from adapters.discord.render import answer_embeds, clip, clip_markdown, entry_embed, runner_ups
from adapters.discord.views import answer_view
from bot.models import Answer, Entry, KnownIssue, Link, Match, Outcome
from tests.discord.fake_checks import check_components, check_embeds


def huge_entry(n: int = 0) -> Entry:
    return Entry(
        id=f"huge-{n}-" + "x" * 120,
        kind="known-issue",
        title="T" * 400,
        summary="S " * 400,
        body="```swift\n" + "let x = 1\n" * 2000 + "```\n" + "word " * 3000,
        links=tuple(Link("L" * 300, f"https://developer.apple.com/documentation/{i}") for i in range(20)),
        known_issue=KnownIssue("open", "A" * 500, "", "W " * 1000, "2026-01-01"),
    )


def test_huge_entry_fits_one_embed() -> None:
    embed, trimmed = entry_embed(huge_entry(), hosts=frozenset(), confidence=0.9, notes=("N" * 3000,))
    assert trimmed
    assert check_embeds([embed.to_dict()]) == []  # type: ignore[list-item]
    assert embed.description is not None and embed.description.count("```") % 2 == 0  # fences closed
    ki = next(f for f in embed.fields if f.name == "Known issue")
    assert ki.value is not None and "**Last verified:** 2026-01-01" in ki.value


def test_suggestions_and_components_fit() -> None:
    matches = tuple(Match(huge_entry(i), 0.5 - i * 0.01, ()) for i in range(30))
    answer = Answer(Outcome.SUGGEST, matches, False, query_id=12345678901234)
    embeds, _ = answer_embeds(answer, frozenset())
    assert check_embeds([e.to_dict() for e in embeds]) == []  # type: ignore[misc]
    view = answer_view(answer.query_id, others=matches, full_entry_id="y" * 200, asker_id=10**19)
    assert view is not None
    assert check_components(view.to_components()) == []
    assert not any(c["type"] == 3 for row in view.to_components() for c in row["components"])  # no id fits a value
    short = (Match(Entry("short-id", "howto", "t", "s"), 0.4, ()), *matches)
    rows = answer_view(1, others=short).to_components()  # type: ignore[union-attr]
    assert check_components(rows) == []
    [select] = [c for row in rows for c in row["components"] if c["type"] == 3]
    assert [o["value"] for o in select["options"]] == ["short-id"]


def test_clip_helpers() -> None:
    assert clip("short", 10) == "short"
    assert len(clip("many words " * 50, 40)) <= 40
    text, cut = clip_markdown("para one\n\npara two " * 100, 100)
    assert cut and len(text) <= 100
    assert clip_markdown("fits", 100) == ("fits", False)


def test_other_matches_only_when_close() -> None:
    def m(entry_id: str, confidence: float) -> Match:
        return Match(Entry(entry_id, "howto", entry_id, "s"), confidence, ())

    close = Answer(Outcome.ANSWER, (m("best", 0.9), m("near", 0.7), m("far", 0.3)), True, query_id=1)
    assert [x.entry.id for x in runner_ups(close)] == ["near"]
    alone = Answer(Outcome.ANSWER, (m("best", 0.97), m("far", 0.19)), True, query_id=1)
    assert runner_ups(alone) == []
    suggest = Answer(Outcome.SUGGEST, (m("a", 0.4), m("b", 0.35)), False, query_id=1)
    assert [x.entry.id for x in runner_ups(suggest)] == ["a", "b"]
