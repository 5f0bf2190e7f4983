"""The review queue on a real engine and real SQLite: recording, grouping, the three actions,
the scope rule and the retention rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.knowledge.errors import KnowledgeError
from bot.models import Incoming, Mode, NotFound, Outcome, Place, ReviewScope, SupportBotError
from bot.privacy import purge_expired
from bot.review import PURGED_TITLE, ReviewQueue
from bot.store.sqlite import SQLiteStore

from .core import Core

ALL = ReviewScope.everything()
GUILD_A = Place("discord", "A", "help")
GUILD_B = Place("discord", "B", "help")
WORKSPACE = Place("slack", "T1", "C1")
PIN = "How do I pin a certificate with URLSession?"
PIN_AGAIN = "how to pin certificates in URLSession"
UNKNOWN = 'Error Domain=NSURLErrorDomain Code=-1234 "weird"'


async def ask(core: Core, text: str, place: Place = GUILD_A, author: str = "discord:1", mode: Mode = Mode.SLASH):
    answer = await core.engine.answer(Incoming(text, mode, place, author))
    assert answer is not None
    return answer


@pytest.fixture
def queue(core: Core) -> ReviewQueue:
    return ReviewQueue(core.engine, core.curator)


async def test_misses_are_recorded_with_place_time_and_answer(core: Core, queue: ReviewQueue) -> None:
    assert (await ask(core, PIN)).outcome is Outcome.NOTHING
    assert (await ask(core, UNKNOWN, WORKSPACE, "slack:U1")).outcome is Outcome.UNKNOWN_CODE
    assert (await ask(core, "Code=-1009 offline again")).outcome is Outcome.ANSWER  # answered: not a miss
    # A silent auto-reply stays out of the queue: nobody asked the bot.
    assert await core.engine.answer(Incoming("what is the weather", Mode.AUTO, GUILD_A, "discord:2")) is None
    # Both were seen once; their order is by the second they were last seen (tested with the ranking
    # below), and two asks may fall either side of a second's boundary, so they are sorted here by kind.
    items = sorted(await queue.items(ALL), key=lambda i: i.kinds)
    assert [i.kinds for i in items] == [("nothing",), ("unknown-code",)]
    pin, code = items
    assert pin.title == "How do I pin a certificate with URLSession"
    assert pin.key == "question" and pin.count == 1 and pin.platforms == ("discord",)
    example = pin.examples[0]
    assert (example.text, example.platform, example.scope, example.channel) == (PIN, "discord", "A", "help")
    assert example.outcome == "nothing" and example.top_id is None and example.author == "discord:1"
    assert pin.first_seen == pin.last_seen == example.at
    assert code.key == "NSURLErrorDomain:-1234" and code.codes == (("NSURLErrorDomain", -1234),)
    assert code.platforms == ("slack",)


async def test_not_helpful_and_not_this_are_recorded_once_per_person(core: Core, queue: ReviewQueue) -> None:
    answer = await ask(core, "Code=-1009 offline again")
    assert answer.query_id is not None
    await core.engine.feedback(answer.query_id, "discord:7", True)
    assert await queue.items(ALL) == []  # "Helpful" is not a miss
    await core.engine.feedback(answer.query_id, "discord:7", False)
    await core.engine.feedback(answer.query_id, "discord:7", False)  # a second click adds nothing
    await core.engine.feedback(answer.query_id, "discord:8", False, not_this=True)
    [item] = await queue.items(ALL)
    assert item.count == 2
    assert item.kinds == ("not-this", "unhelpful")
    assert item.top_entry == "offline"
    assert item.key == "NSURLErrorDomain:-1009"


async def test_similar_questions_are_one_item_sorted_by_hits(core: Core, queue: ReviewQueue) -> None:
    await ask(core, "what is the weather today")
    await ask(core, PIN, author="discord:1")
    await ask(core, PIN_AGAIN, author="discord:2")
    await ask(core, UNKNOWN)
    await ask(core, f"still failing: {UNKNOWN} after retry", GUILD_B)
    await ask(core, "How do I pin a certificate with URLSession??", author="discord:3")
    items = await queue.items(ALL)
    assert [(i.key, i.count) for i in items] == [("question", 3), ("NSURLErrorDomain:-1234", 2), ("question", 1)]
    assert {e.text for e in items[0].examples} == {PIN, PIN_AGAIN, "How do I pin a certificate with URLSession??"}
    assert items[2].title == "what is the weather today"


async def test_a_short_question_is_not_grouped_with_a_long_paste(core: Core, queue: ReviewQueue) -> None:
    await ask(core, "certificate")
    await ask(core, "certificate pinning fails for my custom trust evaluation with self signed leaf and intermediate")
    assert [i.count for i in await queue.items(ALL)] == [1, 1]


async def test_create_from_the_draft_then_the_question_is_answered(core: Core, queue: ReviewQueue) -> None:
    await ask(core, UNKNOWN)
    [item] = await queue.items(ALL)
    draft = await queue.draft_entry(item.id)
    assert draft.kind == "error" and draft.title == UNKNOWN
    assert [(e.domain, e.code, e.role) for e in draft.errors] == [("NSURLErrorDomain", -1234, "primary")]
    assert draft.summary == ""  # the maintainer writes the answer
    with pytest.raises(KnowledgeError):
        await queue.create(item.id, draft, "cli:me")  # an empty summary fails the usual checks
    assert [i.id for i in await queue.items(ALL)] == [item.id]  # and the item stays
    rev = await queue.create(item.id, replace(draft, summary="Code -1234 means X; do Y."), "cli:me")
    assert (rev.actor, rev.reason, rev.op) == ("cli:me", f"from review item #{item.id}", "create")
    assert await queue.items(ALL) == []
    assert (await queue.item(item.id, ALL)).status == "created"
    again = await ask(core, UNKNOWN)
    assert again.outcome is Outcome.ANSWER and again.matches[0].entry.id == draft.id


async def test_draft_of_a_question_has_its_phrase_and_names(core: Core, queue: ReviewQueue) -> None:
    await ask(core, "Why does NWPathMonitor report unsatisfied on launch?")
    [item] = await queue.items(ALL)
    draft = await queue.draft_entry(item.id)
    assert draft.kind == "howto" and draft.errors == ()
    assert draft.id == "nwpathmonitor-report-unsatisfied-launch"
    assert draft.aliases == ("Why does NWPathMonitor report unsatisfied on launch",)
    assert draft.patterns == ("NWPathMonitor",)


async def test_teach_an_alias_through_the_curator(core: Core, queue: ReviewQueue) -> None:
    question = "my phone says there is no way to reach the web"
    assert (await ask(core, question)).outcome is Outcome.NOTHING
    [item] = await queue.items(ALL)
    rev = await queue.teach(item.id, "offline", "discord:9", "alias")
    assert rev.actor == "discord:9" and rev.entry is not None
    assert rev.reason == f"review item #{item.id}: alias '{question}'"
    assert question in rev.entry.aliases
    assert await queue.items(ALL) == []
    assert (await queue.item(item.id, ALL)).status == "taught"
    again = await ask(core, question)
    assert again.matches and again.matches[0].entry.id == "offline"
    with pytest.raises(SupportBotError, match="already handled"):
        await queue.teach(item.id, "offline", "discord:9", "alias")


async def test_teach_an_error_key_and_a_pattern(core: Core, queue: ReviewQueue) -> None:
    await ask(core, UNKNOWN)
    await ask(core, "NWConnectionGroup drops my multicast packets")
    code, words = sorted(await queue.items(ALL), key=lambda i: i.key)
    rev = await queue.teach(code.id, "refused", "cli:me", "error")
    assert rev.entry is not None and ("NSURLErrorDomain", -1234) in [e.key for e in rev.entry.errors]
    assert (await ask(core, UNKNOWN)).matches[0].entry.id == "refused"
    rev = await queue.teach(words.id, "offline", "cli:me", "pattern")
    assert rev.entry is not None and "NWConnectionGroup" in rev.entry.patterns
    assert await queue.items(ALL) == []


async def test_teach_checks_like_lint_and_keeps_the_item(core: Core, queue: ReviewQueue) -> None:
    await ask(core, 'Error Domain=NSURLErrorDomain Code=-1009 "offline" oops', mode=Mode.SLASH)
    answer = await ask(core, "Code=-1009 offline again")
    assert answer.query_id is not None
    await core.engine.feedback(answer.query_id, "discord:5", False)
    [item] = await queue.items(ALL)
    # -1009 is offline's primary key already: teaching it to another entry would claim it twice,
    # so the draft marks it related, and teaching the same entry adds nothing new.
    with pytest.raises(SupportBotError, match="no new error key"):
        await queue.teach(item.id, "offline", "cli:me", "error")
    with pytest.raises(NotFound):
        await queue.teach(item.id, "no-such-entry", "cli:me", "alias")
    assert [i.id for i in await queue.items(ALL)] == [item.id]
    draft = await queue.draft_entry(item.id)
    assert [e.role for e in draft.errors] == ["related"]


async def test_dismiss_records_who_and_why(core: Core, store: SQLiteStore, queue: ReviewQueue) -> None:
    await ask(core, "what is the weather today")
    [item] = await queue.items(ALL)
    await queue.dismiss(item.id, "slack:U2", "off-topic")
    assert await queue.items(ALL) == []
    rows = await store._run("SELECT item_id, action, actor, detail FROM review_events")
    assert [tuple(r) for r in rows] == [(item.id, "dismissed", "slack:U2", "off-topic")]
    with pytest.raises(SupportBotError):
        await queue.dismiss(item.id, "slack:U2", "again")
    # The same question later is a new item: a dismissed one does not swallow new signals.
    await ask(core, "what is the weather today")
    assert [i.id for i in await queue.items(ALL)] != [item.id]


async def test_each_admin_sees_their_own_server(core: Core, queue: ReviewQueue) -> None:
    await ask(core, PIN, GUILD_A, "discord:1")
    await ask(core, PIN_AGAIN, GUILD_B, "discord:2")
    await ask(core, PIN, WORKSPACE, "slack:U1")
    await ask(core, "what is the weather today", GUILD_B, "discord:2")
    [everywhere, weather] = await queue.items(ALL)
    assert everywhere.count == 3 and everywhere.platforms == ("discord", "slack")
    a = await queue.items(ReviewScope("discord", "A"))
    assert [(i.id, i.count, [e.scope for e in i.examples]) for i in a] == [(everywhere.id, 1, ["A"])]
    b = await queue.items(ReviewScope("discord", "B"))
    assert sorted(i.count for i in b) == [1, 1]
    assert [e.text for e in (await queue.item(everywhere.id, ReviewScope("slack", "T1"))).examples] == [PIN]
    with pytest.raises(NotFound):
        await queue.item(weather.id, ReviewScope("discord", "A"))
    assert await queue.items(ReviewScope("slack", "other")) == []


async def test_retention_drops_text_and_people_but_keeps_counts(
    core: Core, store: SQLiteStore, queue: ReviewQueue
) -> None:
    await ask(core, PIN, author="discord:1")
    await ask(core, PIN_AGAIN, author="discord:2")
    await ask(core, UNKNOWN, author="discord:3")
    assert (await purge_expired(store, 90)).total == 0  # nothing is that old
    assert (await store.purge_before("9999-01-01")).review == 3  # everything is older than that
    assert (await store.purge_before("9999-01-01")).total == 0
    code, pin = sorted(await queue.items(ALL), key=lambda i: i.key)
    assert pin.count == 2 and code.count == 1
    assert {e.text for e in pin.examples} == {""} and {e.author for e in pin.examples} <= {"purged:1", "purged:2"}
    assert pin.title == PURGED_TITLE and code.title == "NSURLErrorDomain:-1234"
    rows = await store._run("SELECT COUNT(*) FROM review_records WHERE text != '' OR actor LIKE 'discord:%'")
    assert rows[0][0] == 0
    # A purged group has no words to match, so the same question later starts a new item.
    await ask(core, PIN, author="discord:4")
    assert sorted(i.count for i in await queue.items(ALL)) == [1, 1, 2]
    with pytest.raises(SupportBotError, match="retention"):
        await queue.teach(pin.id, "offline", "cli:me", "alias")
