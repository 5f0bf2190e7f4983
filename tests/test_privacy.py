"""Retention and purge-by-user: people's words and ids go, the counts stay."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.cli import main
from bot.models import Incoming, Mode, Place
from bot.privacy import purge_expired
from bot.store.sqlite import SQLiteStore

from .core import FIXTURE_KB, Core

PLACE = Place("discord", "G", "help")
MISS = 'Error Domain=NSURLErrorDomain Code=-1234 "mine alone"'  # an unknown code: a gap and a review record
HIT = "Error Domain=NSURLErrorDomain Code=-1009"
THEIRS = "how do I pin a certificate, asks the other one"


async def ask(core: Core, text: str, author: str) -> int:
    answer = await core.engine.answer(Incoming(text, Mode.SLASH, PLACE, author))
    assert answer is not None and answer.query_id is not None
    return answer.query_id


async def people(store: SQLiteStore) -> tuple[set[str], set[str]]:
    """Every user id and every non-empty text the store holds about askers."""
    ids = await store._run(
        "SELECT author FROM queries UNION SELECT actor FROM feedback UNION SELECT actor FROM review_records"
    )
    texts = await store._run(
        "SELECT text FROM queries UNION SELECT text FROM gaps UNION SELECT text FROM review_records"
    )
    return {str(r[0]) for r in ids}, {str(r[0]) for r in texts} - {""}


async def activity(core: Core) -> tuple[int, int]:
    one = await ask(core, MISS, "discord:1")
    await ask(core, HIT, "discord:1")
    two = await ask(core, THEIRS, "discord:2")
    await core.engine.feedback(one, "discord:2", helpful=False)  # 2's review record carries 1's text
    await core.engine.feedback(two, "discord:1", helpful=False)
    await core.engine.feedback(two, "discord:3", helpful=True)
    return one, two


async def test_retention_empties_text_and_ids_but_keeps_counts(core: Core, store: SQLiteStore) -> None:
    await activity(core)
    stats, gaps = await store.stats(), await store.list_gaps()
    assert (await purge_expired(store, 90)).total == 0  # all of it is from today
    purged = await store.purge_before("9999-01-01")
    assert (purged.queries, purged.feedback, purged.gaps) == (3, 3, 1) and purged.review >= 3
    assert (await store.purge_before("9999-01-01")).total == 0  # nothing left to empty
    ids, texts = await people(store)
    assert texts == set() and all(i == "purged" or i.startswith("purged:") for i in ids), ids
    assert await store.stats() == stats
    assert [(g.domain, g.code, g.count) for g in await store.list_gaps()] == [(g.domain, g.code, g.count) for g in gaps]


async def test_purge_user_removes_exactly_that_users_data(core: Core, store: SQLiteStore) -> None:
    one, two = await activity(core)
    stats = await store.stats()
    purged = await store.purge_user("discord:1")
    # Two questions, one vote, the gap of their miss, and the records of their miss, of 2's vote on
    # their question (it quotes them) and of their own vote.
    assert (purged.queries, purged.feedback, purged.gaps, purged.review) == (2, 1, 1, 3)
    ids, texts = await people(store)
    assert "discord:1" not in ids and {"discord:2", "discord:3"} <= ids
    assert texts == {THEIRS}  # 2's words stay, wherever they are
    mine = await store.get_query(one)
    assert mine is not None and (mine.text, mine.author) == ("", "purged")
    theirs = await store.get_query(two)
    assert theirs is not None and (theirs.text, theirs.author) == (THEIRS, "discord:2")
    assert await store.stats() == stats
    assert (await store.purge_user("discord:1")).total == 0


def test_purge_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUPPORTBOT_KNOWLEDGE__PATH", str(FIXTURE_KB))
    monkeypatch.setenv("SUPPORTBOT_STORE__PATH", str(tmp_path / "x.db"))
    assert main(["ask", "--store", "db", HIT], out=io.StringIO()) == 0  # recorded as "cli"
    out = io.StringIO()
    assert main(["kb", "purge", "--user", "cli"], out=out) == 0
    assert "purged cli: text and author of 1 question(s)" in out.getvalue()
    for user in ("1234", "discord 1"):
        capsys.readouterr()
        assert main(["kb", "purge", "--user", user], out=io.StringIO()) == 2
        err = capsys.readouterr().err
        assert "platform:id" in err and "Traceback" not in err
