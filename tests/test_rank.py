"""Ranking and policy: confident, ambiguous, off-topic, unknown codes, typos, reasons."""

from __future__ import annotations

import base64
import random
from dataclasses import replace

from bot.curator import Curator
from bot.engine import Engine
from bot.models import Attachment, Entry, ErrorRef, Incoming, Mode, Outcome, Place
from bot.policy import Policy, decide
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, start_core

AUTO = Place("test", "g", "help")


async def test_confident_error_answer_auto_replies(engine: Engine) -> None:
    answer = await engine.answer(Incoming('Error Domain=NSURLErrorDomain Code=-1009 "offline"', Mode.AUTO, AUTO))
    assert answer is not None and answer.auto_reply
    assert answer.outcome is Outcome.ANSWER
    top = answer.matches[0]
    assert top.entry.id == "offline" and top.confidence >= 0.9
    assert any("NSURLErrorDomain -1009" in w for w in top.why)


async def test_curated_entry_beats_catalog_row_for_the_same_key(engine: Engine) -> None:
    result = engine.search("NSURLErrorDomain -1009")
    assert [m.entry.id for m in result.matches].count("code:NSURLErrorDomain:-1009") == 0
    assert result.matches[0].entry.id == "offline"


async def test_catalog_row_answers_codes_without_a_curated_entry(engine: Engine) -> None:
    answer = await engine.answer(Incoming("task failed: Error Domain=NSURLErrorDomain Code=-1001", Mode.SLASH))
    assert answer is not None
    assert answer.matches[0].entry.id == "code:NSURLErrorDomain:-1001"


async def test_off_topic_stays_silent_in_auto_mode(engine: Engine) -> None:
    for text in ["good morning all!", "We're hiring a senior SwiftUI engineer", "Xcode indexing is stuck again", ""]:
        assert await engine.answer(Incoming(text, Mode.AUTO, AUTO)) is None


async def test_nothing_found_is_said_honestly_on_slash(engine: Engine) -> None:
    answer = await engine.answer(Incoming("how do I center a div", Mode.SLASH))
    assert answer is not None and answer.outcome is Outcome.NOTHING and not answer.matches


async def test_prose_match_far_ahead_is_posted_unless_the_channel_raised_its_bar(engine: Engine) -> None:
    # Words alone used to be never posted unasked; a prose match far ahead of every other entry
    # now is (bot.policy._lexical_auto), except where a channel asked for a higher bar.
    text = "my NETransparentProxyProvider stops getting handleNewFlow after the Mac wakes from sleep"
    posted = await engine.answer(Incoming(text, Mode.AUTO, AUTO))
    assert posted is not None and posted.matches[0].entry.id == "transparent-proxy-wake"
    assert posted.matches[0].confidence < engine.policy.auto_threshold
    await engine.set_channel("test", "g", "help", "admin", auto_reply=True, threshold=0.9)
    assert await engine.answer(Incoming(text, Mode.AUTO, AUTO)) is None
    answer = await engine.answer(Incoming(text, Mode.SLASH))
    assert answer is not None and answer.matches[0].entry.id == "transparent-proxy-wake"


async def test_typo_in_identifier_still_matches(engine: Engine) -> None:
    result = engine.search("NETransparantProxyProvidr never calls handleNewFlow")
    top = result.matches[0]
    assert top.entry.id == "transparent-proxy-wake"
    assert any("close to" in w for w in top.why)


async def test_unknown_code_asks_for_more_and_records_a_gap(engine: Engine) -> None:
    answer = await engine.answer(Incoming("getting -10987 from URLSession", Mode.SLASH, author="u"))
    assert answer is not None and answer.outcome is Outcome.UNKNOWN_CODE
    assert "_kCFStreamErrorDomainKey" in answer.unknown_note
    assert await engine.answer(Incoming("getting -10987 again", Mode.AUTO, AUTO)) is None
    gaps = await engine.gaps()
    assert gaps[0].code == -10987 and gaps[0].count == 2


async def test_pattern_across_a_crash_attachment(engine: Engine) -> None:
    crash = (
        '{"app_name":"Proxy","bug_type":"309"}\n'
        '{"exception":{"type":"EXC_BAD_ACCESS","signal":"SIGSEGV","codes":"0x1, 0x28"},'
        '"faultingThread":1,"threads":[{"id":1},{"triggered":true,"queue":"NEFlow queue",'
        '"frames":[{"imageIndex":0,"symbol":"swift_release"}]}],"usedImages":[{"name":"libswiftCore.dylib"}]}'
    )
    answer = await engine.answer(Incoming("crash", Mode.AUTO, AUTO, attachments=(Attachment("a.ips", crash),)))
    assert answer is not None and answer.matches[0].entry.id == "flow-crash"
    assert any("pattern" in w for w in answer.matches[0].why)


async def test_ambiguous_code_is_kept_ambiguous(engine: Engine, curator: Curator) -> None:
    # Two entries claim code 2 in different domains; "Code=2" alone must not be guessed.
    a = Entry(
        "vpn-two",
        "error",
        "NEVPN 2",
        "VPN config disabled.",
        errors=(ErrorRef("NEVPNErrorDomain", 2, "NEVPNErrorConfigurationDisabled"),),
    )
    b = Entry(
        "filter-two",
        "error",
        "Filter 2",
        "Filter config disabled.",
        errors=(ErrorRef("NEFilterErrorDomain", 2, "NEFilterErrorConfigurationDisabled"),),
    )
    await curator.save_entry(a, "t", create=True)
    await curator.save_entry(b, "t", create=True)
    result = engine.search("failed with Code=2")
    ids = [m.entry.id for m in result.matches[:2]]
    assert set(ids) == {"vpn-two", "filter-two"}
    assert all("one of 2 readings" in m.why[0] for m in result.matches[:2])
    assert await engine.answer(Incoming("failed with Code=2", Mode.AUTO, AUTO)) is None
    # A context word resolves it.
    result = engine.search("NEVPNManager saveToPreferences failed with Code=2")
    assert result.matches[0].entry.id == "vpn-two"


async def test_channel_threshold_is_respected(engine: Engine) -> None:
    await engine.set_channel("test", "g", "help", "admin", auto_reply=True, threshold=1.0)
    assert await engine.answer(Incoming("Error Domain=NSURLErrorDomain Code=-1009", Mode.AUTO, AUTO)) is None


async def test_policy_margin_blocks_auto_reply(engine: Engine) -> None:
    result = engine.search("Error Domain=NSURLErrorDomain Code=-1009")
    close = replace(
        result, matches=(result.matches[0], replace(result.matches[0], confidence=result.matches[0].confidence - 0.01))
    )
    assert not decide(close, Mode.AUTO, Policy()).auto_reply
    assert decide(close, Mode.SLASH, Policy()).outcome in (Outcome.SUGGEST, Outcome.ANSWER)


async def test_huge_input_is_answered_and_noted(engine: Engine) -> None:
    line = "2026-01-01 12:00:00 app[12:34] ordinary log line with nothing in it\n"
    log = line * 10_000 + "Error Domain=NSURLErrorDomain Code=-1009\n" + line * 20_000
    answer = await engine.answer(Incoming(log, Mode.SLASH))
    assert answer is not None
    assert answer.matches[0].entry.id == "offline"
    folded = await engine.answer(Incoming(line * 40_000, Mode.SLASH))
    assert folded is not None and any("repeated lines were read once" in n for n in folded.notes)
    # Distinct lines cannot be folded, so an input over the limit is cut.
    distinct = "".join(f"{i} {line}" for i in range(40_000))
    cut = await engine.answer(Incoming(distinct, Mode.SLASH))
    assert cut is not None and any("cut to the first" in n for n in cut.notes)


async def test_feedback_is_stored_with_the_query(engine: Engine) -> None:
    answer = await engine.answer(Incoming("Code=-1009", Mode.SLASH, Place("test", "g", "c"), "u1"))
    assert answer is not None and answer.query_id is not None
    await engine.feedback(answer.query_id, "u1", True)
    assert (await engine.stats()).feedback_helpful == 1


async def test_foreign_domain_code_is_not_taken_for_ours(engine: Engine) -> None:
    # 61 is ECONNREFUSED in our tables, but here it belongs to a domain we do not cover.
    answer = await engine.answer(Incoming('Error Domain=SKErrorDomain Code=61 "store error"', Mode.SLASH))
    assert answer is not None and answer.outcome is Outcome.NOTHING
    assert any("SKErrorDomain: not a domain this knowledge base covers" in n for n in answer.notes)
    assert await engine.gaps() == []


async def test_code_zero_is_never_an_error(engine: Engine) -> None:
    result = engine.search("finished with Code=0")
    assert result.unknown_codes == () and result.known_codes == 0


async def test_a_clear_prose_leader_is_shown_as_the_answer(engine: Engine) -> None:
    answer = await engine.answer(
        Incoming("NETransparentProxyProvider never calls handleNewFlow after sleep and wake", Mode.SLASH)
    )
    assert answer is not None and answer.outcome is Outcome.ANSWER
    assert answer.matches[0].confidence < Policy().answer_threshold  # shown for its lead, not its score


async def test_random_base64_blob_matches_nothing(store: SQLiteStore) -> None:
    # The bundled KB, whose vocabulary is big enough for base64 debris to collide with it.
    engine = (await start_core(store, BUNDLED_KB)).engine
    blob = base64.encodebytes(random.Random(1).randbytes(1_500_000)).decode()
    answer = await engine.answer(Incoming("what is this?", Mode.SLASH, attachments=(Attachment("x.log", blob),)))
    assert answer is not None and answer.outcome is Outcome.NOTHING, answer.matches


async def test_pasted_log_words_reach_tag_only_terms(engine: Engine) -> None:
    # "urlsession" stands only in the fixture entry's tags; a log must still be able to score it.
    log = "ordinary log line with nothing in it\n" * 4000 + "urlsession urlsession\n"
    result = engine.search(log)
    assert any(m.entry.id == "offline" for m in result.matches)


async def test_error_codes_reads_without_ranking(engine: Engine) -> None:
    codes = engine.error_codes("Error Domain=NSURLErrorDomain Code=-1009 and [61: Connection refused]")
    assert codes == {("NSURLErrorDomain", -1009), ("NSPOSIXErrorDomain", 61)}
