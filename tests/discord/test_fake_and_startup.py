"""The fake is as strict as promised, and the bot starts the ways a deployment starts it."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
from pathlib import Path
from typing import Any

import aiohttp
import discord.http
import pytest

import adapters.discord
from adapters import cli
from bot.engine import Engine
from bot.models import SupportBotError
from bot.settings import DiscordSettings, KnowledgeSettings, Settings, StoreSettings
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import FIXTURE_KB, TOKEN, Cast, StartBot, answered

OFFLINE = "Error Domain=NSURLErrorDomain Code=-1009 The Internet connection appears to be offline."


async def call(
    fake: FakeDiscord, method: str, path: str, token: str | None = TOKEN, body: Any = None
) -> tuple[int, str, Any]:
    headers = {"Authorization": f"Bot {token}"} if token else {}
    async with aiohttp.ClientSession() as s, s.request(method, fake.api_url + path, json=body, headers=headers) as r:
        return r.status, r.headers["Content-Type"], await r.json(content_type=None)


async def test_fake_rejects_unknown_routes_and_tokens(fake: FakeDiscord) -> None:
    status, ctype, _ = await call(fake, "GET", "/guilds/1/members")
    assert (status, ctype) == (404, "application/json")
    assert fake.violations == ["unimplemented route GET /api/v10/guilds/1/members"]
    fake.violations.clear()
    assert (await call(fake, "GET", "/users/@me", token="wrong"))[0] == 401
    assert (await call(fake, "GET", "/users/@me", token=None))[0] == 401
    assert (await call(fake, "GET", "/users/@me"))[:2] == (200, "application/json")


async def test_fake_refuses_a_second_acknowledgement(fake: FakeDiscord, cast: Cast) -> None:
    inter = await fake.interact(2, {"id": "1", "name": "ask", "type": 1}, cast.alice, cast.help)
    path = f"/interactions/{inter.id}/{inter.token}/callback"
    body = {"type": 4, "data": {"content": "hi", "allowed_mentions": {"parse": []}}}
    assert (await call(fake, "POST", path, None, body))[0] == 200
    status, _, data = await call(fake, "POST", path, None, body)
    assert (status, data["code"]) == (400, 40060)
    early = await fake.interact(2, {"id": "1", "name": "ask", "type": 1}, cast.alice, cast.help)
    status, _, data = await call(fake, "POST", f"/webhooks/{cast.world.bot.id}/{early.token}", None, {"content": "x"})
    assert (status, data["code"]) == (404, 10015)  # a follow-up before any acknowledgement
    status, _, data = await call(
        fake,
        "POST",
        f"/interactions/{early.id}/{early.token}/callback",
        None,
        {"type": 4, "data": {"content": "x" * 2001}},
    )
    assert (status, data["code"]) == (400, 50035)
    assert len(fake.violations) == 3
    fake.violations.clear()


async def test_wrong_token_is_reported(start_bot: StartBot, engine: Engine) -> None:
    with pytest.raises(SupportBotError, match="rejected the token"):
        await start_bot(engine, token="not-the-token")


async def test_sharded_processes(start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast) -> None:
    # One process running both shards of two: each guild arrives on its own shard.
    bot = await start_bot(engine, shard_count=2, shard_ids=[0, 1], shards=2)
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    assert isinstance(bot.adapter.client, discord.AutoShardedClient)
    for channel in (cast.help, cast.help2):
        msg = await fake.user_message(channel, cast.alice, OFFLINE)
        assert await bot.decision(msg) == "replied"
    assert not any(path == "/gateway/bot" for _, path, _ in fake.requests)  # shard_count is given


async def test_one_shard_of_two(start_bot: StartBot, engine: Engine, fake: FakeDiscord, cast: Cast) -> None:
    bot = await start_bot(engine, shard_count=2, shard_ids=[1])
    assert [tuple(i["shard"]) for i in fake.identifies] == [(1, 2)]
    assert [g.id for g in bot.adapter.client.guilds] == [cast.guild2.id]
    assert fake.commands == []  # only the process running shard 0 publishes the commands


def test_sharding_settings_are_checked(settings: Settings) -> None:
    bad = settings.model_copy(
        update={"discord": settings.discord.model_copy(update={"shard_ids": [3], "shard_count": 2})}
    )
    with pytest.raises(SupportBotError, match="between 0 and 1"):
        adapters.discord.check_settings(bad)
    bad = settings.model_copy(update={"discord": settings.discord.model_copy(update={"shard_ids": [0]})})
    with pytest.raises(SupportBotError, match=r"needs discord\.shard_count"):
        adapters.discord.check_settings(bad)


def test_invite_url_has_exactly_the_needed_scopes_and_permissions() -> None:
    app_id = 1234567890123456789
    token = base64.b64encode(str(app_id).encode()).decode().rstrip("=") + ".XXXXXX.secret"
    url = adapters.discord.invite_url(Settings(discord=DiscordSettings(token=token)))
    assert url.startswith("https://discord.com/oauth2/authorize?")
    assert f"client_id={app_id}" in url
    assert "scope=bot+applications.commands" in url
    expected = (1 << 10) | (1 << 11) | (1 << 38) | (1 << 14) | (1 << 16)  # view, send, send in threads, embed, history
    assert f"permissions={expected}" in url
    with pytest.raises(SupportBotError, match="application id"):
        adapters.discord.invite_url(Settings())


def test_invite_url_command(monkeypatch: pytest.MonkeyPatch) -> None:
    token = base64.b64encode(b"987654321098765432").decode().rstrip("=") + ".a.b"
    monkeypatch.setenv("SUPPORTBOT_DISCORD__TOKEN", token)
    out = io.StringIO()
    assert cli.main(["discord", "invite-url"], out=out) == 0
    assert "client_id=987654321098765432" in out.getvalue()


async def test_supportbot_run_starts_the_bot(fake: FakeDiscord, cast: Cast, tmp_path: Path) -> None:
    settings = Settings(
        store=StoreSettings(path=str(tmp_path / "bot.db")),
        knowledge=KnowledgeSettings(path=FIXTURE_KB),
        discord=DiscordSettings(token=TOKEN, api_base_url=fake.api_url, gateway_url=fake.gateway_url),
    )
    task = asyncio.create_task(cli.cmd_run(settings, io.StringIO()))
    try:
        await fake.wait_ready()
        inter = await fake.slash("ask", cast.alice, cast.help, {"question": OFFLINE})
        [msg] = await answered(fake, inter)
        assert msg.payload["embeds"][0]["title"].startswith("NSURLErrorNotConnectedToInternet")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert discord.http.Route.BASE == "https://discord.com/api/v10"  # restored after the run
