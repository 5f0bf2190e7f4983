"""The short form of an answer (bot/brief.py, bot/cut.py), on real bundled entries."""

from __future__ import annotations

import statistics
from dataclasses import replace

import pytest

from adapters.console import render_text
from bot.brief import BUDGET, MIXED_LABEL, Brief, brief, checks, combined_brief, known_issue_brief, split_sections
from bot.cut import clip_clause, clip_inline, lead_sentences, sentences, visible
from bot.knowledge.tree import read_knowledge
from bot.models import Answer, Combined, Entry, ErrorRef, KnownIssue, Match, Outcome

from .core import BUNDLED_KB


@pytest.fixture(scope="module")
def bundled() -> dict[str, Entry]:
    return {e.id: e for e in read_knowledge(BUNDLED_KB).entries if e.curated}


def test_prose_under_what_to_check_first_gives_its_sentences(bundled: dict[str, Entry]) -> None:
    # "**What to check first.** `openssl s_client ...`: is there ...? Does Safari ...? Does it fail ...?"
    label, found = checks(bundled["errssl-9813-no-root-cert"].body)
    assert label == "What to check first"
    assert len(found) == 3
    assert found[0].startswith("`openssl s_client -connect host:443 -servername host -showcerts`: is there")
    assert found[1] == "Does Safari on the same device trust the site?"
    assert found[2] == "Does it fail only on one network (a proxy)?"


def test_a_what_to_do_list_gives_its_items_not_the_causes_above_it(bundled: dict[str, Entry]) -> None:
    label, found = checks(bundled["nehotspot-12-join-once-not-supported"].body)
    assert label == "What to do"
    assert found[0].startswith("Set `joinOnce = false` for EAP and Hotspot 2.0 networks")
    assert len(found) == 3 and not any("init(ssid:eapSettings:)" in f for f in found)  # a cause, not a check


def test_check_first_is_preferred_and_nested_text_stays_with_its_item(bundled: dict[str, Entry]) -> None:
    label, found = checks(bundled["nevpn-5-configuration-read-write-failed"].body)
    assert label == "Check first"
    assert found[0].startswith("`codesign -d --entitlements - YourApp.app`")
    assert "DTS's" in found[0]  # the item's second sentence is part of it
    assert found[1].startswith("The capability is enabled on the App IDs")


def test_without_a_lead_for_checks_the_first_list_items_are_used(bundled: dict[str, Entry]) -> None:
    body = bundled["posix-65-ehostunreach"].body
    assert not any(s.label.lower().startswith(("what to", "check", "fix")) for s in split_sections(body))
    label, found = checks(body)
    assert label.startswith("Usual causes") and len(found) == 3


def test_without_any_list_the_first_sentences_are_used() -> None:
    body = "Restart the daemon first. Then look at its log. It says why. A fourth sentence."
    assert checks(body) == (MIXED_LABEL, ("Restart the daemon first.", "Then look at its log.", "It says why."))
    assert checks("") == ("", ())


def test_fenced_code_and_tables_are_never_picked() -> None:
    body = "**What to do**\n```\n- not an item\n```\n| a | b |\n- Real item one.\n- Real item two."
    assert checks(body) == ("What to do", ("Real item one.", "Real item two."))


def test_every_bundled_brief_fits_its_budget_and_keeps_markup_whole(bundled: dict[str, Entry]) -> None:
    briefs = {eid: brief(e) for eid, e in bundled.items()}
    for eid, b in briefs.items():
        for text in (b.title, b.summary, *b.checks, *(li.title for li in b.links)):
            assert text.count("`") % 2 == 0 and text.count("**") % 2 == 0, (eid, text)
        assert b.more, eid  # every curated entry says more than its short form
        assert 1 <= len(b.links) <= 2 and len(b.checks) <= 3
    plain = [b.size for eid, b in briefs.items() if bundled[eid].known_issue is None]
    assert max(plain) <= BUDGET + 40  # a command kept whole may run over a little
    assert statistics.median(b.size for b in briefs.values()) <= BUDGET
    assert all(b.checks for b in briefs.values())  # every bundled entry has something to check
    assert sum(len(b.checks) == 3 for b in briefs.values()) > 0.7 * len(briefs)


def test_a_known_issue_in_short_keeps_every_row_and_cuts_the_long_ones() -> None:
    ki = KnownIssue("open", "A" * 300, "", "Use the completion-handler APIs. " * 10, "2026-11-01")
    rows = dict(known_issue_brief(ki))
    assert list(rows) == ["Status", "Affects", "Fixed in", "Workaround", "Last verified"]
    assert rows["Fixed in"] == "not fixed yet" and rows["Last verified"] == "2026-11-01"
    assert len(rows["Affects"]) <= 70 and len(rows["Workaround"]) <= 90
    assert rows["Workaround"].startswith("Use the completion-handler APIs.")


def test_the_summary_gives_way_before_the_checks(bundled: dict[str, Entry]) -> None:
    e = bundled["urlerror-1009-not-connected-to-internet"]
    b: Brief = brief(e)
    assert len(b.checks) == 3 and all(not c.endswith("…") for c in b.checks[:1])
    assert len(b.summary) < len(e.summary) and b.summary.endswith("…")
    assert "(" not in b.summary or b.summary.count("(") == b.summary.count(")")  # cut at a clause


def test_clip_inline_never_splits_code_links_or_bold() -> None:
    text = "Run `nc -vz host 443` then read [the guide](https://example.com/a) and **do not skip it** today"
    for limit in range(5, len(text) + 5):
        cut = clip_inline(text, limit)
        assert cut.count("`") % 2 == 0 and cut.count("**") % 2 == 0, cut
        assert cut.count("[") == cut.count("](") == cut.count(")"), cut
    assert clip_inline(text, 500) == text
    # A command longer than the limit is kept whole rather than cut in half.
    assert clip_inline("`openssl s_client -connect host:443 -showcerts`: then read it", 30).startswith("`openssl")


def test_sentences_and_clauses() -> None:
    assert sentences("Use `a. B` here. Then e.g. this. Done?") == ["Use `a. B` here.", "Then e.g. this.", "Done?"]
    assert lead_sentences("One short. Two is here.", 12) == "One short."
    text = "Check the proxy settings, the VPN and the DNS filter on that network before anything else"
    assert clip_inline(text, 50) == "Check the proxy settings, the VPN and the DNS…"
    assert clip_clause(text, 50) == "Check the proxy settings…"
    # Never inside parentheses: "(no Wi-Fi, no" is not a clause end.
    assert clip_clause("The device is offline: airplane mode (no Wi-Fi, no cellular) or data is off", 60) == (
        "The device is offline: airplane mode…"
    )
    assert visible("**a** `b` [c](https://x)") == "a b c"


# Written for this test: a topic that explains several codes, and two of those codes' entries, one
# with a known issue whose symptom is that code.
_TOPIC = Entry("widget-activation", "howto", "Activating a widget: what it needs", "Install it, then approve it.")
_ISSUE = KnownIssue("open", "macOS 99: code 4 though the widget is installed (reports)")
_CODE_3 = Entry("widget-3", "error", "WidgetError 3: not in /Applications", "Code 3 means the app is elsewhere.")
_CODE_4 = Entry(
    "widget-4", "error", "WidgetError 4: not found", "Code 4 means no widget was found.", known_issue=_ISSUE
)


def _explained(topic: Entry, error: Entry) -> Combined:
    return Combined(Match(error, 0.95, ()), Match(topic, 0.6, ()), False, error.title[:13], topic.title)


def test_a_combined_answer_notes_the_known_issue_of_the_error_it_explains_only() -> None:
    # The known issue of code 4 shows under "code 4 explained in the topic", not under code 3's.
    assert combined_brief(_explained(_TOPIC, _CODE_4)).known_issue == _ISSUE
    assert combined_brief(_explained(_TOPIC, _CODE_3)).known_issue is None
    # A topic's own known issue is noted as in its own answer, whatever error it explains.
    own = KnownIssue("workaround", "every widget on macOS 98")
    assert combined_brief(_explained(replace(_TOPIC, known_issue=own), _CODE_4)).known_issue == own


def test_the_terminal_notes_the_known_issue_of_the_error_a_topic_explains() -> None:
    for error, noted in ((_CODE_4, True), (_CODE_3, False)):
        c = _explained(_TOPIC, error)
        text = render_text(Answer(Outcome.ANSWER, c.parts, True, 1, (), (), "", c))
        assert ("Known issue (open)" in text) is noted, error.id


def test_an_explained_errors_line_is_labelled_unless_it_names_its_code_itself() -> None:
    # The headline names the error; a summary that says "WidgetErrorDomain code 4 ..." needs no label.
    code = (ErrorRef("WidgetErrorDomain", 4, "WidgetErrorNotFound"),)
    says = replace(_CODE_4, errors=code, summary="WidgetErrorDomain code 4 means no widget was found.")
    assert combined_brief(_explained(_TOPIC, says)).aside_named
    by_symbol = replace(says, summary="WidgetErrorNotFound: nothing was found.")
    assert combined_brief(_explained(_TOPIC, by_symbol)).aside_named
    # A code of three digits or more names itself as a number of its own ("-1201 means ...").
    big = replace(says, errors=(ErrorRef("WidgetErrorDomain", -1201, "WidgetErrorStale"),))
    for summary in ("-1201 means the widget is stale.", "The widget is stale: -1201."):
        assert combined_brief(_explained(_TOPIC, replace(big, summary=summary))).aside_named, summary
    # "code 42" is another code, "-12010" and "v-1201" are other numbers, a small code alone may be a
    # count, and a summary that never names its code keeps the label.
    for summary in ("WidgetErrorDomain code 42 means something else.", "No widget was found.", "4 widgets failed."):
        cb = combined_brief(_explained(_TOPIC, replace(says, summary=summary)))
        assert not cb.aside_named and cb.second_title, summary
    for summary in ("-12010 means something else.", "Firmware v-1201 is stale.", "Version -1201.5 is stale."):
        cb = combined_brief(_explained(_TOPIC, replace(big, summary=summary)))
        assert not cb.aside_named and cb.second_title, summary
