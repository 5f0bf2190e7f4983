"""Two real ``supportbot run`` processes on one database (SQLite file, and PostgreSQL), each with
Slack in HTTP mode and Discord, against the local fakes: the same Slack event (one event_id,
delivered to both, then retried) and the same Discord message (both processes connected as
shard 0, as during a rolling restart) get one reply each; a process restarted in the middle
of a cooldown keeps it.

Each process logs one line per auto-reply decision (debug level); the tests wait for every
process's decision, so "one reply" is checked after both processes acted, not before.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from bot.store.base import Store
from bot.store.sqlite import SQLiteStore

from .core import FIXTURE_KB, eventually, free_port, http_get
from .discord.fake_discord import FakeDiscord
from .discord.helpers import TOKEN, Cast, make_cast
from .slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from .slack.payloads import SlackSender, event_payload, message_event

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'
REFUSED = (
    "nw_socket_handle_socket_event Socket SO_ERROR [61: Connection refused] Error Domain=NSPOSIXErrorDomain Code=61"
)
HELP = "CHELP"
JSON = "application/json"


@dataclass
class Bot:
    """One ``supportbot run`` process: its log file, its Slack endpoint and its health URL."""

    process: asyncio.subprocess.Process
    log: Path
    slack: SlackSender
    health: str

    def decisions(self, prefix: str) -> list[str]:
        """The auto-reply decisions this process logged on messages whose line starts with ``prefix``."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                message = json.loads(line).get("message", "")
            except json.JSONDecodeError:
                continue
            if message.startswith(prefix):
                found.append(message.split(": ", 1)[1])
        return found

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0


@dataclass
class World:
    slack: FakeSlack
    discord: FakeDiscord
    cast: Cast
    start: Callable[[str], Awaitable[Bot]]


def bot_env(slack: FakeSlack, discord: FakeDiscord, cast: Cast, store: Store, slack_port: int) -> dict[str, str]:
    """The environment of one ``supportbot run``: both platforms on the fakes, ``store``'s database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    if isinstance(store, SQLiteStore):
        env["SUPPORTBOT_STORE__PATH"] = str(store.path)
    else:
        from bot.store.pg import PostgresStore

        assert isinstance(store, PostgresStore)
        env["SUPPORTBOT_STORE__URL"] = store.url
    env.update(
        {
            "SUPPORTBOT_LOG_LEVEL": "DEBUG",
            "SUPPORTBOT_LOG_FORMAT": "json",
            "SUPPORTBOT_KNOWLEDGE__PATH": str(FIXTURE_KB),
            "SUPPORTBOT_HTTP__PORT": str(free_port()),
            "SUPPORTBOT_SLACK__BOT_TOKEN": BOT_TOKEN,
            "SUPPORTBOT_SLACK__SIGNING_SECRET": SIGNING_SECRET,
            "SUPPORTBOT_SLACK__API_BASE_URL": slack.api_url,
            "SUPPORTBOT_SLACK__MODE": "http",
            "SUPPORTBOT_SLACK__HTTP_HOST": "127.0.0.1",
            "SUPPORTBOT_SLACK__HTTP_PORT": str(slack_port),
            "SUPPORTBOT_SLACK__HELP_CHANNELS": json.dumps([HELP]),
            "SUPPORTBOT_DISCORD__TOKEN": TOKEN,
            "SUPPORTBOT_DISCORD__API_BASE_URL": discord.api_url,
            "SUPPORTBOT_DISCORD__GATEWAY_URL": discord.gateway_url,
            "SUPPORTBOT_DISCORD__HELP_CHANNELS": json.dumps([cast.help.id]),
            "SUPPORTBOT_DISCORD__GUILD_READY_TIMEOUT": "0.05",
        }
    )
    return env


async def healthy(url: str) -> bool:
    try:
        status, _ = await http_get(url)
    except OSError:
        return False
    return status == 200


@pytest.fixture
async def world(tmp_path: Path, store: Store) -> AsyncIterator[World]:
    """The fakes, and a way to start ``supportbot run`` processes on ``store``'s database (all
    stopped at teardown, each of which must exit 0 without a traceback)."""
    slack, cast = FakeSlack(), make_cast()
    discord = FakeDiscord(cast.world, TOKEN)
    await slack.start()
    await discord.start()
    bots: list[Bot] = []

    async def start(name: str) -> Bot:
        slack_port = free_port()
        env = bot_env(slack, discord, cast, store, slack_port)
        log = tmp_path / f"{name}.log"
        exe = Path(sys.executable).with_name("supportbot")
        with log.open("wb") as out:  # a file, not a pipe: a debug log would fill a pipe's buffer
            process = await asyncio.create_subprocess_exec(str(exe), "run", env=env, cwd=tmp_path, stderr=out)
        bot = Bot(process, log, SlackSender(f"http://127.0.0.1:{slack_port}/slack/events"), "")
        bot.health = f"http://127.0.0.1:{env['SUPPORTBOT_HTTP__PORT']}/healthz"
        bots.append(bot)
        return bot

    yield World(slack, discord, cast, start)
    try:
        for bot in bots:
            assert await bot.stop() == 0, bot.log.read_text()
            assert "Traceback" not in bot.log.read_text(), bot.log.read_text()
    finally:
        await discord.close()
        await slack.close()
    assert not discord.violations, discord.violations


async def running(world: World, *names: str) -> list[Bot]:
    """Start processes one right after the other (none waits for another's start-up) on the same
    database, and wait until all are healthy (Slack serving, Discord ready) and connected to the
    fake gateway."""
    before = sum(1 for s in world.discord.sessions if s.ready)
    bots = [await world.start(name) for name in names]
    for bot in bots:
        await eventually(partial(healthy, bot.health), within=60, step=0.1)
    await world.discord.wait_for(lambda: sum(1 for s in world.discord.sessions if s.ready) >= before + len(bots))
    return bots


async def decided(bots: list[Bot], prefix: str, counts: list[int]) -> list[str]:
    """Every decision the processes took on one message, once each process took ``counts[i]``."""

    async def probe() -> list[str]:
        found = [bot.decisions(prefix) for bot in bots]
        return [d for ds in found for d in ds] if [len(ds) for ds in found] == counts else []

    return await eventually(probe, within=20, step=0.05)


def slack_posts(world: World) -> list[dict[str, object]]:
    return [c.args for c in world.slack.api("chat.postMessage") if c.args.get("channel") == HELP]


async def test_the_same_slack_event_at_two_processes_and_a_retry_gets_one_reply(world: World) -> None:
    a, b = await running(world, "a", "b")
    event = message_event(OFFLINE, channel=HELP)
    body = json.dumps(event_payload(event))  # one event_id for every delivery
    # A load balancer hands the event to one process, and Slack's retry lands on the other.
    statuses = await asyncio.gather(a.slack.post(body, JSON), b.slack.post(body, JSON, retry=1))
    assert [s for s, _ in statuses] == [200, 200]
    await world.slack.wait_for(lambda: slack_posts(world))
    assert (await b.slack.post(body, JSON, retry=2))[0] == 200  # a late retry, after the reply
    decisions = await decided([a, b], f"auto-reply to {event['ts']} in {HELP}", [1, 2])
    assert decisions.count("replied") == 1, decisions
    [post] = slack_posts(world)
    assert post["thread_ts"] == event["ts"]


async def test_the_same_discord_message_at_two_processes_gets_one_reply(world: World) -> None:
    a, b = await running(world, "a", "b")
    cast = world.cast
    msg = await world.discord.user_message(cast.help, cast.alice, f"I keep getting {OFFLINE}")
    decisions = await decided([a, b], f"message {msg['id']} in {cast.help.id}", [1, 1])
    assert decisions.count("replied") == 1, decisions
    [reply] = world.discord.sent_in(cast.help)
    assert reply.payload["message_reference"]["message_id"] == msg["id"]


async def test_a_process_restarted_in_the_middle_of_a_cooldown_keeps_it(world: World) -> None:
    a, b = await running(world, "a", "b")
    cast, fake = world.cast, world.discord
    first = await fake.user_message(cast.help, cast.alice, OFFLINE)
    await decided([a, b], f"message {first['id']} in", [1, 1])
    event = message_event(OFFLINE, channel=HELP)
    await a.slack.post(json.dumps(event_payload(event)), JSON)
    await decided([a], f"auto-reply to {event['ts']} in", [1])
    assert await a.stop() == 0  # a rolling restart: the process stops well inside the 60 s cooldowns...
    await fake.wait_for(lambda: sum(1 for s in fake.sessions if s.ready) == 1)
    [again] = await running(world, "a-again")  # ...and its successor starts on the same database
    second = await fake.user_message(cast.help, cast.bob, REFUSED)
    assert await decided([again, b], f"message {second['id']} in", [1, 1]) == ["skip: cooldown"] * 2
    later = message_event(REFUSED, channel=HELP)
    await again.slack.post(json.dumps(event_payload(later)), JSON)
    assert await decided([again], f"auto-reply to {later['ts']} in", [1]) == ["skip: cooldown"]
    assert len(fake.sent_in(cast.help)) == 1 and len(slack_posts(world)) == 1
