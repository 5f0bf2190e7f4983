"""Graceful shutdown of the real command: ``supportbot run`` in Socket Mode against the fake
Slack, SIGTERM while an answer is in flight (its file is still downloading): the answer is
posted, the connection closed, and the process exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.core import FIXTURE_KB, eventually, free_port, health_saying

from .fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from .payloads import event_payload, mention_event

OFFLINE = 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'


def bot_env(fake: FakeSlack, tmp_path: Path, http_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    env.update(
        {
            "SUPPORTBOT_SLACK__BOT_TOKEN": BOT_TOKEN,
            "SUPPORTBOT_SLACK__APP_TOKEN": APP_TOKEN,
            "SUPPORTBOT_SLACK__API_BASE_URL": fake.api_url,
            "SUPPORTBOT_STORE__PATH": str(tmp_path / "bot.db"),
            "SUPPORTBOT_KNOWLEDGE__PATH": str(FIXTURE_KB),
            "SUPPORTBOT_HTTP__PORT": str(http_port),
        }
    )
    return env


async def test_sigterm_lets_the_answer_in_flight_finish(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    exe = Path(sys.executable).with_name("supportbot")
    proc = await asyncio.create_subprocess_exec(
        str(exe), "run", env=bot_env(fake, tmp_path, port), cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    try:
        await eventually(lambda: health_saying(f"http://127.0.0.1:{port}/healthz", "ok"), within=30)
        fake.download_delay = 1.5
        shared = fake.add_file("F1", "crash.log", OFFLINE.encode())
        event = mention_event("why does this fail?", channel="C5", files=[shared])
        await fake.envelope("events_api", event_payload(event))
        await fake.wait_for(lambda: fake.downloads)  # the answer is under way
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.stderr is not None
    log = (await proc.stderr.read()).decode()
    [post] = fake.api("chat.postMessage")
    assert post.args["channel"] == "C5" and "NSURLErrorNotConnectedToInternet" in str(post.args["blocks"]), log
    assert fake.downloads_done == 1
    assert fake.socket.ws is not None and fake.socket.ws.closed
    assert "Traceback" not in log, log


async def test_a_rejected_token_exits_2_with_a_clear_message(fake: FakeSlack, tmp_path: Path) -> None:
    fake.valid_bot_tokens = {"xoxb-other"}
    exe = Path(sys.executable).with_name("supportbot")
    proc = await asyncio.create_subprocess_exec(
        str(exe), "run", env=bot_env(fake, tmp_path, free_port()), cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert "error: Slack rejected the bot token (invalid_auth)" in err.decode()
    assert "Traceback" not in err.decode()
