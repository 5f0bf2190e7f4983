"""Tokens never show: a known fake bot token, app token and signing secret are set, then a
rejected start, an answered question, an export and DEBUG logging (slack_sdk logs request
headers there) run; none of the secrets appears in any output."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zipfile
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from adapters.slack import run
from bot.curator import Curator
from bot.engine import Engine
from bot.logs import REDACTED, configure_logging, secrets_of
from bot.models import SupportBotError
from bot.settings import Settings

from .fake_slack import FakeSlack
from .helpers import start_http
from .payloads import command_payload
from .test_admin import kb

# Made up for this test, shaped like the real ones.
BOT_SECRET = "xoxb-9999-8888-SECRETsecretSECRETbot"
APP_SECRET = "xapp-1-A999-7777-SECRETsecretSECRETapp"
SIGNING = "0123456789abcdefSECRETsigning"
SECRETS = (BOT_SECRET, APP_SECRET, SIGNING)


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    configure_logging("INFO", "human", stream=io.StringIO())


def leaks(*texts: str) -> list[str]:
    return [s for s in SECRETS for t in texts if s in t]


async def test_no_secret_in_errors_exports_answers_or_logs(
    fake: FakeSlack, engine: Engine, curator: Curator, logs: io.StringIO
) -> None:
    secrets = {"bot_token": SecretStr(BOT_SECRET), "app_token": SecretStr(APP_SECRET)}
    fake.valid_bot_tokens = {BOT_SECRET}
    http = await start_http(fake, engine, curator, **secrets, signing_secret=SecretStr(SIGNING))
    http.sender.secret = SIGNING
    settings = Settings(slack=http.bot.settings)
    assert set(SECRETS) <= set(secrets_of(settings))
    configure_logging("DEBUG", "json", secrets_of(settings), stream=logs)
    try:
        await http.sender.command(command_payload(fake, "/ask", "Error Domain=NSURLErrorDomain Code=-1009"))
        await fake.wait_for(fake.responses)
        exported = await kb(http, "export")
        assert "Uploaded" in json.dumps(exported)
    finally:
        await http.bot.close()
    [archive] = fake.uploads.values()
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        files = [zf.read(n).decode() for n in zf.namelist()]
    fake.valid_bot_tokens = {"xoxb-someone-else"}
    with pytest.raises(SupportBotError) as refused:  # a rejected token, in socket mode
        await asyncio.wait_for(
            run(Settings(slack=settings.slack.model_copy(update={"mode": "socket"})), engine, curator), 10
        )
    # A library that logs its headers (as HTTP clients do at DEBUG): the redaction holds.
    logging.getLogger("aiohttp.client").debug("headers %s", {"Authorization": f"Bearer {BOT_SECRET}"})
    assert REDACTED in logs.getvalue()
    outputs = [logs.getvalue(), str(refused.value), *files, *(json.dumps(r) for r in fake.responses())]
    assert leaks(*outputs) == []
