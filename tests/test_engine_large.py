"""Large inputs: searched off the event loop, with the same answer as on it, and a clear message
when a search runs over its time budget."""

from __future__ import annotations

import pytest

from bot import engine as engine_module
from bot.engine import OFF_LOOP_CHARS, Engine, TooSlow
from bot.models import Attachment, Incoming, Mode, Outcome, Place

PLACE = Place("discord", "g1", "c1", "")
LOG = ("12:00:01 MyApp[1:2] nw_connection_receive_internal Connection not ready\n" * 2000) + (
    'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'
)


async def test_a_large_log_gets_the_same_answer_off_the_loop(engine: Engine) -> None:
    assert len(LOG) > OFF_LOOP_CHARS
    incoming = Incoming("see log", Mode.SLASH, PLACE, "discord:1", (Attachment("a.log", LOG),))
    answer = await engine.answer(incoming)
    assert answer is not None and answer.outcome is Outcome.ANSWER
    assert answer.best is not None and answer.best.entry.id == "offline"
    assert answer.best.entry == engine.search("see log", incoming.attachments).matches[0].entry
    assert await engine.codes_in("see log", incoming.attachments) == engine.error_codes("see log", incoming.attachments)
    assert ("NSURLErrorDomain", -1009) in engine.error_codes("see log", incoming.attachments)


async def test_a_search_over_its_budget_is_refused_with_a_message(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SEARCH_BUDGET_SECONDS", 0)
    incoming = Incoming("see log", Mode.SLASH, PLACE, "discord:1", (Attachment("a.log", LOG),))
    with pytest.raises(TooSlow, match="too much text to search in time"):
        await engine.answer(incoming)
    small = await engine.answer(Incoming("Code=-1009", Mode.SLASH, PLACE, "discord:1"))
    assert small is not None  # small questions never wait on the budget
