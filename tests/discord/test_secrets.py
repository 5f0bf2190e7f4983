"""Tokens never show: a known fake Discord token is set, then a rejected login, an answered
question, an export and DEBUG logging run; the token appears in no output."""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from collections.abc import AsyncIterator

import pytest

from adapters.discord import DiscordAdapter
from bot.curator import Curator
from bot.engine import Engine
from bot.logs import REDACTED, configure_logging, secrets_of
from bot.models import SupportBotError
from bot.settings import Settings
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import Cast, answered, discord_settings, with_discord

# Made up for this test, shaped like a bot token (application id, timestamp, signature).
SECRET = "MTIwMDAwMDAwMDAwMDAwMDAwNw.GsEcRt.SECRETsecretSECRETsecretSECRETsecret"
WRONG = "MTIwMDAwMDAwMDAwMDAwMDAwNw.GwRoNg.WRONGwrongWRONGwrongWRONGwrongWRONG"


@pytest.fixture
async def secret_fake(cast: Cast) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(cast.world, SECRET)
    await server.start()
    yield server
    await server.close()


async def test_no_token_in_errors_exports_answers_or_logs(
    secret_fake: FakeDiscord, cast: Cast, engine: Engine, curator: Curator
) -> None:
    fake = secret_fake
    settings = with_discord(discord_settings(fake, cast), token=SECRET)
    logs = io.StringIO()
    configure_logging("DEBUG", "json", [*secrets_of(settings), WRONG], stream=logs)
    try:
        wrong = DiscordAdapter(with_discord(settings, token=WRONG), engine, curator)
        with pytest.raises(SupportBotError) as refused:
            await asyncio.wait_for(wrong.run(), 15)
        adapter = DiscordAdapter(settings, engine, curator)
        task = asyncio.create_task(adapter.run())
        await asyncio.wait_for(adapter.client.wait_until_ready(), 15)
        await fake.wait_ready()
        ask = await fake.slash("ask", cast.alice, cast.help, {"question": "Error Domain=NSURLErrorDomain Code=-1009"})
        await answered(fake, ask)
        export = await fake.slash("kb", cast.mod, cast.help, sub="export")
        [msg] = await answered(fake, export)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        logging.getLogger("discord.http").debug("headers %s", {"Authorization": f"Bot {SECRET}"})
    finally:
        configure_logging("INFO", "human", stream=io.StringIO())
    with zipfile.ZipFile(io.BytesIO(msg.files["knowledge.zip"])) as zf:
        files = [zf.read(n).decode() for n in zf.namelist()]
    assert SECRET in secrets_of(Settings(discord=settings.discord))
    assert "rejected the token" in str(refused.value)
    assert REDACTED in logs.getvalue()
    sent = [str(s.payload) for s in fake.sent]
    outputs = [logs.getvalue(), str(refused.value), *files, *sent]
    assert [o[:80] for o in outputs if SECRET in o or WRONG in o] == []
