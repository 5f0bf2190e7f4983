"""Several Slack HTTP replicas on one database (run on SQLite and on PostgreSQL): the same event
delivered to two of them (a retry, a load balancer sending it twice) gets one reply, and a
replica restarted in the middle of a cooldown keeps it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.store.base import Store

from ..core import same_database, start_core
from .fake_slack import FakeSlack
from .helpers import HELP_CHANNEL, HttpBot, start_http
from .payloads import message_event
from .test_events import OFFLINE, REFUSED, control, posts


@pytest.fixture
async def replicas(fake: FakeSlack, store: Store) -> AsyncIterator[list[HttpBot]]:
    """Two bots, each with its own connection(s) to the one database, as two processes have."""
    bots, stores = [], []
    for _ in range(2):
        own = same_database(store)
        await own.open()
        stores.append(own)
        core = await start_core(own)
        bots.append(await start_http(fake, core.engine, core.curator))
    yield bots
    for bot in bots:
        await bot.bot.close()
    for own in stores:
        await own.close()


async def test_one_event_delivered_to_two_replicas_gets_one_reply(replicas: list[HttpBot]) -> None:
    a, b = replicas
    event = message_event(OFFLINE, ts="1700000200.000001")
    # At the same time, the second as Slack's retry: both answer, only one claim wins.
    await asyncio.gather(a.sender.event(event), b.sender.event(event, retry=1))
    await a.fake.wait_for(lambda: posts(a, HELP_CHANNEL))
    await control(a)
    await control(b)
    assert len(posts(a, HELP_CHANNEL)) == 1


async def test_many_events_each_answered_once_across_replicas(replicas: list[HttpBot]) -> None:
    a, b = replicas
    for bot in replicas:
        bot.bot.state.gate.cooldown = 0  # every message is a new question in its own thread
    events = [message_event(OFFLINE, ts=f"1700000300.{i:06d}") for i in range(6)]
    await asyncio.gather(*(bot.sender.event(e) for e in events for bot in (a, b)))
    await a.fake.wait_for(lambda: len(posts(a, HELP_CHANNEL)) >= 6)
    await control(a)
    await control(b)
    replied = sorted(str(p["thread_ts"]) for p in posts(a, HELP_CHANNEL))
    assert replied == sorted(e["ts"] for e in events)


async def test_a_restarted_replica_keeps_the_cooldown(fake: FakeSlack, replicas: list[HttpBot], store: Store) -> None:
    a, _ = replicas
    await a.sender.event(message_event(OFFLINE))
    await a.fake.wait_for(lambda: posts(a, HELP_CHANNEL))
    await a.bot.close()  # the process stops in the middle of the 60 s cooldown...
    again = same_database(store)
    await again.open()
    try:
        core = await start_core(again)
        restarted = await start_http(fake, core.engine, core.curator)  # ...and starts again
        try:
            restarted.clock.now = a.clock.now + 30
            await restarted.sender.event(message_event(REFUSED))
            await control(restarted)
            assert len(posts(restarted, HELP_CHANNEL)) == 1
            restarted.clock.now = a.clock.now + 61
            await restarted.sender.event(message_event(REFUSED))
            await fake.wait_for(lambda: len(posts(restarted, HELP_CHANNEL)) == 2)
        finally:
            await restarted.bot.close()
    finally:
        await again.close()
