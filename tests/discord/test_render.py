"""Rendering stays inside Discord's limits whatever the knowledge base holds."""

from __future__ import annotations

import statistics

from adapters.discord.render import answer_embeds, brief_embed, clip, clip_markdown, entry_embed, runner_ups
from adapters.discord.views import answer_view
from bench.answer_lengths import discord_visible
from bot.knowledge.tree import read_knowledge
from bot.models import Answer, Combined, Entry, ErrorRef, KnownIssue, Link, Match, Outcome
from tests.core import BUNDLED_KB, widget_explained
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


def test_huge_entries_fit_in_short_and_combined() -> None:
    embed, more = brief_embed(huge_entry(), hosts=frozenset(), confidence=0.9, notes=("N" * 3000,))
    assert more
    assert check_embeds([embed.to_dict()]) == []  # type: ignore[list-item]
    ki = next(f for f in embed.fields if f.name == "Known issue")
    assert ki.value is not None and "**Last verified:** 2026-01-01" in ki.value and len(ki.value) < 400
    parts = (Match(huge_entry(1), 0.95, ()), Match(huge_entry(2), 0.93, ()))
    combined = Combined(parts[0], parts[1], True, "O" * 300, "C" * 300)
    answer = Answer(
        Outcome.ANSWER, (*combined.parts, Match(huge_entry(3), 0.5, ())), True, 7, ("note",), (), "", combined
    )
    embeds, full = answer_embeds(answer, frozenset())
    assert check_embeds([e.to_dict() for e in embeds]) == []  # type: ignore[misc]
    assert full is not None and full.id == huge_entry(2).id  # the nested cause: what to fix
    view = answer_view(answer.query_id, others=runner_ups(answer), full_entry_id=full.id, asker_id=10**19)
    assert view is None or check_components(view.to_components()) == []


def test_every_bundled_entry_answers_in_a_short_first_message() -> None:
    sizes = []
    for e in read_knowledge(BUNDLED_KB).entries:
        if not e.curated:
            continue
        embeds, full = answer_embeds(Answer(Outcome.ANSWER, (Match(e, 0.95, ()),), True, query_id=1), frozenset())
        assert check_embeds([x.to_dict() for x in embeds]) == []  # type: ignore[misc]
        assert full is e  # every curated entry has more to show: the button is always there
        sizes.append(discord_visible(embeds[0].to_dict()))  # type: ignore[arg-type]
    assert statistics.median(sizes) <= 600
    assert sum(s > 600 for s in sizes) < 0.1 * len(sizes) and max(sizes) < 800


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


def test_a_combined_answer_shows_the_known_issue_of_the_error_it_explains() -> None:
    noted, plain = widget_explained()
    [embed], _ = answer_embeds(noted, frozenset())
    ki = next(f for f in embed.fields if f.name == "Known issue")
    assert ki.value is not None and "macOS 99" in ki.value
    # The same topic explaining another of its codes notes nothing.
    [embed], _ = answer_embeds(plain, frozenset())
    assert all(f.name != "Known issue" for f in embed.fields)


def test_an_explained_errors_line_names_the_error_once() -> None:
    # Written for this test: the error's summary names its code, and the headline names the error.
    topic = Entry("widget-activation", "howto", "Activating a widget", "Install it, then approve it.")
    error = Entry(
        "widget-4",
        "error",
        "WidgetErrorNotFound (WidgetErrorDomain 4): not found",
        "WidgetErrorDomain code 4 means no widget was found.",
        errors=(ErrorRef("WidgetErrorDomain", 4, "WidgetErrorNotFound"),),
    )
    combined = Combined(Match(error, 0.95, ()), Match(topic, 0.6, ()), False, "WidgetErrorNotFound 4", topic.title)
    answer = Answer(Outcome.ANSWER, combined.parts, True, 7, (), (), "", combined)
    [embed], _ = answer_embeds(answer, frozenset())
    assert embed.title is not None and embed.title.startswith("WidgetErrorNotFound 4 explained in")
    assert embed.description is not None and "WidgetErrorDomain code 4 means" in embed.description
    assert "**WidgetErrorNotFound 4**" not in embed.description
