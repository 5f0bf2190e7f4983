"""bot/chat.py: the auto-reply gate, the text-file policy and the report rows every adapter shares."""

from __future__ import annotations

import asyncio
import io
import zipfile

from bot.chat import (
    MAX_FILES,
    NOTHING_MATCHED,
    REPEATED,
    TOO_MANY,
    AutoReplyGate,
    RepeatLimiter,
    TextFiles,
    code_span,
    link_target,
)
from bot.knowledge.archive import export_archive
from bot.models import Attachment, Entry, Gap, Match, Revision, Stats
from bot.reports import Report, Row, gaps_report, history_report, shorten, stats_report, why_report
from bot.store.base import Store


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- the gate


async def test_gate_claims_a_thread_once(store: Store) -> None:
    gate = AutoReplyGate(store, "slack", 0, Clock())
    assert await gate.claim("C1", "t1")
    assert await gate.answered("C1", "t1")
    assert not await gate.claim("C1", "t1")
    assert await gate.claim("C1", "t2")  # no cooldown: another thread is free at once


async def test_gate_cooldown_follows_the_injected_clock(store: Store) -> None:
    clock = Clock()
    gate = AutoReplyGate(store, "slack", 60, clock)
    assert await gate.claim("C1", "t1")
    assert await gate.cooling("C1") and not await gate.cooling("C2")
    clock.now += 59.9
    assert not await gate.claim("C1", "t2")
    assert not await gate.answered("C1", "t2")  # a refused claim leaves nothing behind
    assert await gate.claim("C2", "t2")  # channels cool down separately
    clock.now += 0.1
    assert not await gate.cooling("C1")
    assert await gate.claim("C1", "t3")


async def test_a_marked_thread_is_never_auto_answered_and_starts_no_cooldown(store: Store) -> None:
    gate = AutoReplyGate(store, "slack", 60, Clock())
    await gate.mark("C1", "t1")  # answered on request (a mention, a shortcut)
    await gate.mark("C1", "t1")  # twice is fine
    assert not await gate.claim("C1", "t1")
    assert not await gate.cooling("C1")
    assert await gate.claim("C1", "t2")


async def test_platforms_do_not_share_a_ledger(store: Store) -> None:
    slack, discord = AutoReplyGate(store, "slack", 60, Clock()), AutoReplyGate(store, "discord", 60, Clock())
    assert await slack.claim("C1", "t1")
    assert await discord.claim("C1", "t1")


async def test_two_gates_on_one_store_claim_each_thread_once(store: Store) -> None:
    """Two processes' gates racing for the same messages: every thread is claimed exactly once."""
    clock = Clock()
    a, b = AutoReplyGate(store, "slack", 0, clock), AutoReplyGate(store, "slack", 0, clock)
    results = await asyncio.gather(*(g.claim("C1", f"t{i}") for i in range(20) for g in (a, b)))
    assert sum(results) == 20


async def test_without_a_cooldown_an_older_stamp_still_claims_and_never_moves_the_last_reply_back(
    store: Store,
) -> None:
    """Claims do not commit in the order of their stamps: another process's clock is a little
    behind, or a claim stamped first waits for the lock. Without a cooldown none is refused."""
    ahead, behind = Clock(), Clock()
    ahead.now, behind.now = 102.0, 100.0
    a, b = AutoReplyGate(store, "discord", 0, ahead), AutoReplyGate(store, "discord", 0, behind)
    assert await a.claim("C1", "m1")
    assert not await b.cooling("C1")
    assert await b.claim("C1", "m2")
    assert await store.last_reply("discord", "C1") == 102.0
    # With a cooldown, the older stamp is inside it (and the last reply stays where it was).
    c = AutoReplyGate(store, "discord", 60, behind)
    assert await c.cooling("C1") and not await c.claim("C1", "m3")
    assert await store.last_reply("discord", "C1") == 102.0


async def test_a_restarted_gate_keeps_the_cooldown_and_forgetting_bounds_the_ledger(store: Store) -> None:
    clock = Clock()
    assert await AutoReplyGate(store, "slack", 60, clock).claim("C1", "t1")
    again = AutoReplyGate(store, "slack", 60, clock)  # a new process: nothing in its memory
    assert await again.cooling("C1") and await again.answered("C1", "t1")
    assert await store.forget_replies(clock.now + 1) == 1
    assert not await again.answered("C1", "t1") and not await again.cooling("C1")


# ---------------------------------------------------------------- text files


def test_only_text_file_names_are_read() -> None:
    policy = TextFiles(100)
    for name in ("crash.ips", "NETWORK.LOG", "a.txt", "b.crash"):
        assert policy.name_note(name) is None
    assert policy.name_note("screenshot.png") == "screenshot.png was not read: only .txt, .log, .ips, .crash files are."


def test_only_the_first_files_are_looked_at() -> None:
    policy = TextFiles(100)
    files = [f"f{i}.log" for i in range(MAX_FILES + 2)]
    first, note = policy.first(files)
    assert first == files[:MAX_FILES]
    assert note == f"Only the first {MAX_FILES} files were read."
    assert policy.first(files[:MAX_FILES]) == (files[:MAX_FILES], None)


def test_size_limit_applies_to_announced_and_downloaded_sizes() -> None:
    policy = TextFiles(10)
    assert policy.size_note("a.log", 10) is None
    assert policy.size_note("a.log", 11) == "a.log was not read: it is larger than 10 bytes."
    assert policy.read("a.log", b"x" * 11) == "a.log was not read: it is larger than 10 bytes."


def test_binary_data_is_refused_and_text_decoded_leniently() -> None:
    policy = TextFiles(1000)
    assert policy.read("a.log", b"\x00\x01\x02binary\x00") == "a.log was not read: it is not a text file."
    assert policy.read("a.log", "Code=-1009 caf\u00e9".encode()) == Attachment("a.log", "Code=-1009 caf\u00e9")
    read = policy.read("b.log", b"Code=-1009 \xff")
    assert isinstance(read, Attachment) and read.text.startswith("Code=-1009 ")


def test_export_archive_holds_the_files_under_knowledge() -> None:
    data = export_archive({"entries/b.md": "B", "catalog/a.tsv": "A"})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["knowledge/catalog/a.tsv", "knowledge/entries/b.md"]
        assert zf.read("knowledge/entries/b.md") == b"B"


# ---------------------------------------------------------------- reports


def _entry(entry_id: str) -> Entry:
    return Entry(id=entry_id, kind="error", title=f"Title of {entry_id}", summary="s")


def test_history_rows_newest_first_to_the_second() -> None:
    revisions = [
        Revision("x", 1, None, "system:import", "2026-01-02T03:04:05.123456+00:00", "import", "create"),
        Revision("x", 2, None, "discord:7", "2026-01-03T00:00:00+00:00", "typo", "update"),
    ]
    report = history_report("x", revisions)
    assert [r.cells for r in report.rows] == [
        ("2", "2026-01-03T00:00:00", "update", "discord:7", "typo"),
        ("1", "2026-01-02T03:04:05", "create", "system:import", "import"),
    ]
    assert report.title == "History of x"
    assert history_report("x", []).lines() == ["No revisions of x."]


def test_why_rows_carry_the_reasons() -> None:
    matches = [
        Match(_entry("offline"), 0.953, ("NSURLErrorDomain -1009", "title words")),
        Match(_entry("dns"), 0.4, ()),
    ]
    report = why_report(matches)
    assert report.lines() == [
        "0.95  offline",
        "      - NSURLErrorDomain -1009",
        "      - title words",
        "0.40  dns",
    ]
    assert report.code == 1  # the entry id
    assert why_report([]).lines() == ["Nothing matched."]


def test_gap_rows_name_the_code_and_shorten_the_text() -> None:
    gaps = [
        Gap("NSURLErrorDomain", -4242, "a  long\nquestion " + "x" * 100, 12, "2026-02-03T04:05:06"),
        Gap(None, 61, "refused", 3, "2026-02-01T00:00:00"),
        Gap(None, None, "how do I pin a certificate", 1, "2026-01-01T00:00:00"),
    ]
    rows = [r.cells for r in gaps_report(gaps).rows]
    assert rows[0][:3] == ("12x", "NSURLErrorDomain -4242", "2026-02-03")
    assert rows[0][3].startswith("a long question x") and len(rows[0][3]) == 60 and rows[0][3].endswith("…")
    assert rows[1][1] == "? 61" and rows[2][1] == "(no code)"
    assert gaps_report([]).lines() == ["No gaps: every question got an answer."]


def test_stats_rows_and_most_answered_details() -> None:
    stats = Stats(
        entries=12,
        curated=10,
        reference=2,
        queries=7,
        answered=5,
        feedback_helpful=3,
        feedback_unhelpful=1,
        gaps=2,
        top_entries=(("offline", 4), ("dns", 1)),
    )
    report = stats_report(stats)
    assert {r.cells[0]: r.cells[1] for r in report.rows} == {
        "Entries": "12 (10 curated, 2 catalog)",
        "Queries": "7 (5 answered)",
        "Feedback": "3 helpful, 1 not",
        "Gaps": "2",
        "Most answered": "",
    }
    assert report.rows[-1].details == ("4x offline", "1x dns")


def test_plain_lines_pad_columns_but_not_the_last() -> None:
    report = Report("t", (Row(("1", "ab", "end")), Row(("10", "a", "longer end"))), "none")
    assert report.lines() == ["1   ab  end", "10  a   longer end"]


def test_shorten_and_nothing_matched() -> None:
    assert shorten("  a \n b  ", 10) == "a b"
    assert shorten("abcdefghij", 5) == "abcd…"
    assert NOTHING_MATCHED.startswith("Nothing in the knowledge base matches that.")


# ---------------------------------------------------------------- repeats, echoes, link targets

HEAVY = "Error Domain=NSURLErrorDomain Code=-1009\n" + "Thread 3 Crashed: frame\n" * 100


def test_the_same_heavy_paste_is_answered_once_per_window() -> None:
    clock = Clock()
    limiter = RepeatLimiter(window=60, burst=100, clock=clock)
    results = [limiter.check("discord:1", HEAVY) for _ in range(10)]
    assert results == [None] + [REPEATED] * 9
    assert limiter.check("discord:2", HEAVY) is None  # another member
    assert limiter.check("discord:1", HEAVY, [Attachment("a.log", "more")]) is None  # other content
    assert limiter.check("discord:1", "short question") is None
    assert limiter.check("discord:1", "short question") is None  # short questions may be repeated
    clock.now += 61
    assert limiter.check("discord:1", HEAVY) is None


def test_a_burst_of_questions_is_cut_off_and_memory_is_bounded() -> None:
    clock = Clock()
    limiter = RepeatLimiter(window=60, burst=3, clock=clock, memory=5)
    assert [limiter.check("u", f"q{i}") for i in range(4)] == [None, None, None, TOO_MANY]
    clock.now += 60
    assert limiter.check("u", "q9") is None
    for i in range(50):
        limiter.check(f"user{i}", HEAVY)
    assert len(limiter._seen) <= 5 and len(limiter._recent) <= 5


def test_code_span_is_always_closed_and_holds_no_backtick() -> None:
    span = code_span("``` [x](https://evil.example) `y` " + "z" * 1000, 100)
    assert span.startswith("`") and span.endswith("`") and len(span) <= 100
    assert span[1:-1].count("`") == 0
    assert code_span("   ") == ""


def test_link_targets() -> None:
    hosts = frozenset({"developer.apple.com"})
    assert link_target("https://developer.apple.com/a_(b)", hosts) == "https://developer.apple.com/a_%28b%29"
    for bad in (
        "https://evil.example/login",
        "https://developer.apple.com@evil.example/",
        "https://evil.example\\@developer.apple.com/",
        "http://developer.apple.com/",
        "https://developer.apple.com/a b",
        "javascript:alert(1)",
        "https://developer.apple.com/x>y",
        "https://developer.apple.com/x|y",
    ):
        assert link_target(bad, hosts) is None, bad
    assert link_target("https://any.example/x", frozenset()) == "https://any.example/x"  # no hosts.txt: any host
