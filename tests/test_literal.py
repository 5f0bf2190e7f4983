"""Literal patterns and phrases match on token boundaries: ``Code=4`` is not ``Code=42``."""

from __future__ import annotations

from bot.extract import Extractor
from bot.index import Index
from bot.literal import IDENTIFIER, LOOSE, NUMBER, WORD_CHARS, bounded, find, pattern_groups, pattern_matches
from bot.models import Incoming, Mode, Outcome
from bot.rank import matched_patterns
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, Bundled, start_core


def _hits(index: Index, extractor: Extractor, text: str) -> set[tuple[str, str]]:
    return {(index.entries[p.entry].id, p.text) for p in matched_patterns(index, extractor.extract(text))}


def test_every_bundled_pattern_matches_its_own_text(bundled: Bundled) -> None:
    index, extractor = bundled
    missed = [
        (e.id, raw) for e in index.entries for raw in e.patterns if (e.id, raw) not in _hits(index, extractor, raw)
    ]
    assert not missed


def test_no_bundled_pattern_matches_when_its_last_or_first_token_runs_on(bundled: Bundled) -> None:
    index, extractor = bundled
    checked = 0
    wrong = []
    for e in index.entries:
        for raw in e.patterns:
            text = raw.strip()
            longer = []
            if text[-1] in WORD_CHARS:
                longer += [text + "7", text + "x"]
            if text[0] in WORD_CHARS:
                longer += ["7" + text, "x" + text]
            for variant in longer:
                checked += 1
                if (e.id, raw) in _hits(index, extractor, variant):
                    wrong.append(variant)
    assert checked > 300  # most patterns start or end on a word character
    assert not wrong


def test_piece_edges() -> None:
    code = bounded("code=4", IDENTIFIER, IDENTIFIER)
    assert find("error code=4 here", code) == 6
    assert find("code=4.", code) == 0
    assert find("code=42", code) == -1
    assert find("xcode=4", code) == -1
    assert find("code=42 and code=4", code) == 12  # the later, bounded occurrence
    number = bounded("error -100", NUMBER, NUMBER)
    assert find("dns error -1009", number) == -1
    assert find("dns error -100s", number) == 4  # only a digit continues a number
    loose = bounded("-100", LOOSE, LOOSE)
    assert find("-1009", loose) == 0


def test_star_pieces_may_not_extend_numbers_but_may_split_words() -> None:
    groups = pattern_groups("HTTP load failed*error code: -1200")
    assert pattern_matches(groups, "task: http load failed, 0/0 bytes (error code: -1200 [3:-9816])")
    assert not pattern_matches(groups, "http load failed (error code: -12001)")
    assert not pattern_matches(groups, "http load failed\nerror code: -1200")  # * stays on one line
    split = pattern_groups("Code=-1202*OriginalValue")
    assert pattern_matches(split, "code=-1202 x _kcfnetworkcfstreamsslerrororiginalvalue=-9813")
    assert not pattern_matches(split, "code=-12021 x _kcfnetworkcfstreamsslerrororiginalvalue=-9813")
    both = pattern_groups("EXC_BAD_ACCESS && NEFlow queue")
    assert pattern_matches(both, "neflow queue\n...\nexc_bad_access")
    assert not pattern_matches(both, "neflow queues exc_bad_access")


def test_cjk_text_still_matches_inside_a_sentence() -> None:
    groups = pattern_groups("インターネット接続がオフライン")
    assert pattern_matches(groups, "エラー:インターネット接続がオフラインのようです")


async def test_a_code_that_only_starts_like_a_known_one_is_not_answered_by_it(store: SQLiteStore) -> None:
    engine = (await start_core(store, BUNDLED_KB)).engine
    text = 'Error Domain=NEVPNErrorDomain Code=42 "(null)"'
    assert await engine.answer(Incoming(text, Mode.AUTO)) is None
    answer = await engine.answer(Incoming(text, Mode.SLASH))
    assert answer is not None and answer.outcome is not Outcome.ANSWER
    assert all(m.entry.id != "nevpn-4-configuration-stale" for m in answer.matches[:1])
    # The real code 4 is still answered, unasked.
    real = await engine.answer(Incoming('Error Domain=NEVPNErrorDomain Code=4 "(null)"', Mode.AUTO))
    assert real is not None and real.matches[0].entry.id == "nevpn-4-configuration-stale"
