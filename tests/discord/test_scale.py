"""Several Discord processes on one database (run on SQLite and on PostgreSQL): during a rolling
restart two shard groups are connected at once and both receive the same MESSAGE_CREATE; the
store's claim lets exactly one of them reply. A process restarted in the middle of a cooldown
keeps it. (Two real OS processes: tests/test_scale_processes.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.settings import Settings
from bot.store.base import Store
from tests.core import same_database, start_core
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, Running, start_adapter, with_discord

from .test_autoreply import OFFLINE, REFUSED

Start = Callable[..., Any]


@pytest.fixture
async def start_replica(fake: FakeDiscord, settings: Settings, store: Store) -> AsyncIterator[Start]:
    """Start an adapter with its own engine and its own connection(s) to ``store``'s database,
    as a separate process has; all stop (newest first, since each restores discord.py's
    endpoints to what it found) and close at teardown."""
    started: list[tuple[Running, Store]] = []

    async def start(**changes: Any) -> Running:
        own = same_database(store)
        await own.open()
        core = await start_core(own)
        ready = sum(1 for s in fake.sessions if s.ready) + 1
        running = await start_adapter(fake, with_discord(settings, **changes), core.engine, core.curator, ready)
        started.append((running, own))
        return running

    yield start
    for running, own in reversed(started):
        await running.stop()
        await own.close()


def replied_once(decisions: list[str]) -> bool:
    """One process replied; the other saw the claim (after its answer, or in the cheap checks)."""
    return sorted(decisions) in (
        ["replied", "skip: answered meanwhile"],
        ["replied", "skip: cooldown"],
        ["replied", "skip: already answered in this thread"],
    )


async def test_one_message_seen_by_two_processes_gets_one_reply(
    start_replica: Start, fake: FakeDiscord, cast: Cast
) -> None:
    a, b = await start_replica(), await start_replica()
    msg = await fake.user_message(cast.help, cast.alice, f"I keep getting {OFFLINE}")
    decisions = [await a.decision(msg), await b.decision(msg)]
    assert replied_once(decisions), decisions
    [reply] = fake.sent_in(cast.help)
    assert reply.payload["message_reference"]["message_id"] == msg["id"]


async def test_many_messages_each_answered_once_across_processes(
    start_replica: Start, fake: FakeDiscord, cast: Cast
) -> None:
    a, b = await start_replica(cooldown_seconds=0.0), await start_replica(cooldown_seconds=0.0)
    msgs = [await fake.user_message(cast.help, cast.alice, text) for text in (OFFLINE, REFUSED) * 3]
    for msg in msgs:
        decisions = [await a.decision(msg), await b.decision(msg)]
        assert sorted(decisions) == ["replied", "skip: answered meanwhile"], decisions
    replied_to = sorted(s.payload["message_reference"]["message_id"] for s in fake.sent_in(cast.help))
    assert replied_to == sorted(m["id"] for m in msgs)


async def test_one_forum_post_seen_by_two_processes_gets_one_reply(
    start_replica: Start, fake: FakeDiscord, cast: Cast
) -> None:
    a, b = await start_replica(cooldown_seconds=0.0), await start_replica(cooldown_seconds=0.0)
    thread, starter = await fake.forum_post(cast.forum, cast.alice, "Offline", f"Help! {OFFLINE}")
    decisions = [await a.decision(starter), await b.decision(starter)]
    assert replied_once(decisions), decisions
    # Each process saw only its own half of the thread; the database still knows it was answered.
    again = await fake.user_message(thread, cast.alice, f"now {REFUSED}")
    assert [await a.decision(again), await b.decision(again)] == ["skip: already answered in this thread"] * 2
    assert len(fake.sent_in(thread)) == 1


async def test_a_process_restarted_in_the_middle_of_a_cooldown_keeps_it(
    start_replica: Start, fake: FakeDiscord, cast: Cast
) -> None:
    first = await start_replica()
    msg = await fake.user_message(cast.help, cast.alice, OFFLINE)
    assert await first.decision(msg) == "replied"
    await first.stop()  # the process stops well inside the 60 s cooldown...
    await fake.wait_for(lambda: not fake.sessions)
    restarted = await start_replica()  # ...and a new one starts on the same database
    second = await fake.user_message(cast.help, cast.bob, REFUSED)
    assert await restarted.decision(second) == "skip: cooldown"
    assert len(fake.sent_in(cast.help)) == 1
