"""Helpers for the Discord tests: who and where (the cast), settings for the fake, a running
bot, and a slow engine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.discord import DiscordAdapter
from bot.engine import Engine
from bot.settings import DiscordSettings, Settings
from tests.discord.fake_discord import FakeDiscord, Interaction, Sent
from tests.discord.fake_world import (
    FORUM,
    MANAGE_GUILD,
    MEMBER,
    TEXT,
    Channel,
    Guild,
    Role,
    User,
    World,
    guild_id_for_shard,
)

TOKEN = "fake-token"
FIXTURE_KB = Path(__file__).parent.parent / "fixtures" / "knowledge"


@dataclass
class Cast:
    """Who and where, for readable tests."""

    world: World
    guild: Guild
    guild2: Guild
    help: Channel
    general: Channel
    forum: Channel
    locked: Channel
    help2: Channel
    alice: User
    bob: User
    mod: User
    keeper: User
    staff: User
    robot: User
    admin_role: int
    staff_role: int


def make_cast() -> Cast:
    ids = iter(range(1_200_000_000_000_000_000, 1_300_000_000_000_000_000))
    g = Guild(guild_id_for_shard(0), "Networking Devs", owner_id=0)
    g2 = Guild(guild_id_for_shard(1), "Second Server", owner_id=0)
    admin_role, staff_role = next(ids), next(ids)
    g.roles = [Role(g.id, "@everyone", MEMBER), Role(admin_role, "kb-admin"), Role(staff_role, "staff")]
    g2.roles = [Role(g2.id, "@everyone", MEMBER)]
    help_ = Channel(next(ids), "help", TEXT, g)
    general = Channel(next(ids), "general", TEXT, g)
    forum = Channel(next(ids), "questions", FORUM, g)
    locked = Channel(next(ids), "announcements", TEXT, g, bot_can_send=False)
    help2 = Channel(next(ids), "help", TEXT, g2)
    g.channels = [help_, general, forum, locked]
    g2.channels = [help2]
    bot = User(next(ids), "supportbot", bot=True)
    alice = User(next(ids), "alice")
    bob = User(next(ids), "bob")
    mod = User(next(ids), "mod", permissions=MEMBER | MANAGE_GUILD)
    keeper = User(next(ids), "keeper", roles=[admin_role])
    staff = User(next(ids), "staff", roles=[staff_role])
    robot = User(next(ids), "otherbot", bot=True)
    g.owner_id = g2.owner_id = mod.id
    world = World(bot, [g, g2], [alice, bob, mod, keeper, staff, robot])
    return Cast(
        world,
        g,
        g2,
        help_,
        general,
        forum,
        locked,
        help2,
        alice,
        bob,
        mod,
        keeper,
        staff,
        robot,
        admin_role,
        staff_role,
    )


@dataclass
class Running:
    adapter: DiscordAdapter
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def decision(self, message: dict[str, Any]) -> str:
        """The auto-reply decision on a member's message (waits until it was taken)."""
        async with asyncio.timeout(10):
            return await self.adapter.auto_replies.wait_decision(int(message["id"]))


StartBot = Callable[..., Awaitable[Running]]


async def start_adapter(fake: FakeDiscord, settings: Settings, engine: Any, curator: Any, sessions: int = 1) -> Running:
    """Run an adapter and wait until it is ready and the fake counts ``sessions`` ready gateway
    connections (its own and any other running adapter's); the caller stops it."""
    adapter = DiscordAdapter(settings, engine, curator)
    task = asyncio.create_task(adapter.run())
    ready = asyncio.create_task(adapter.client.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()  # raises what run() raised
        raise AssertionError("the bot stopped before it was ready")
    assert ready in done, "the bot did not become ready"
    await fake.wait_ready(sessions)
    return Running(adapter, task)


async def answered(fake: FakeDiscord, inter: Interaction) -> list[Sent]:
    """Wait until the member saw a response to ``inter``; the messages they saw."""
    await fake.wait_for(lambda: inter.answered)
    return inter.messages()


def discord_settings(fake: FakeDiscord, cast: Cast) -> Settings:
    """Settings pointing at the fake, with its help channels, admin and staff roles.

    Only waits are shortened: guild_ready_timeout is how long discord.py waits for more guilds.
    """
    return Settings(
        discord=DiscordSettings(
            token=TOKEN,
            api_base_url=fake.api_url,
            gateway_url=fake.gateway_url,
            help_channels=[cast.help.id, cast.forum.id, cast.help2.id],
            admin_roles=[cast.admin_role],
            excluded_roles=[cast.staff_role],
            cooldown_seconds=60,
            guild_ready_timeout=0.05,
            kb_guilds=[cast.guild.id],  # the first server manages the knowledge base
        )
    )


def with_discord(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some ``[discord]`` values changed (and validated again)."""
    discord_settings = DiscordSettings.model_validate({**settings.discord.model_dump(), **changes})
    return settings.model_copy(update={"discord": discord_settings})


class SlowEngine:
    """The real engine behind a delay: a slow core, as a database under load would make it."""

    def __init__(self, engine: Engine, delay: float) -> None:
        self._engine = engine
        self.delay = delay

    async def answer(self, incoming: Any) -> Any:
        await asyncio.sleep(self.delay)
        return await self._engine.answer(incoming)

    async def get_entry(self, entry_id: str) -> Any:
        await asyncio.sleep(self.delay)
        return await self._engine.get_entry(entry_id)

    async def feedback(self, query_id: int, actor: str, helpful: bool, *, not_this: bool = False) -> None:
        await asyncio.sleep(self.delay)
        await self._engine.feedback(query_id, actor, helpful, not_this=not_this)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)
