"""adapters.http and bot.metrics: /healthz, /metrics and mounted routes on a real local server."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

from adapters.http import HttpServer, flag, succeeds
from bot.engine import Engine
from bot.metrics import Metrics
from bot.models import Incoming, Mode, Place


async def passing() -> tuple[bool, str]:
    return True, "fine"


async def get(server: HttpServer, path: str, **headers: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}", headers=headers) as response,
    ):
        return response.status, await response.text(), response.headers.get("Content-Type", "")


async def test_healthy_server_says_ok() -> None:
    async with HttpServer("127.0.0.1", 0) as server:
        server.add_check("store", passing)
        server.add_check("discord", flag(lambda: True, "discord not connected"))
        assert server.port != 0
        assert await get(server, "/healthz") == (200, "ok\n", "text/plain; charset=utf-8")


async def test_a_failing_check_gives_503_with_its_reason() -> None:
    connected = False

    async def broken() -> None:
        raise OSError("disk I/O error")

    async def slow() -> tuple[bool, str]:
        await asyncio.sleep(10)
        return True, "never"

    async with HttpServer("127.0.0.1", 0, check_timeout=0.2) as server:
        server.add_check("store", succeeds(broken, "store"))
        server.add_check("discord", flag(lambda: connected, "discord not connected"))
        server.add_check("fine", passing)
        server.add_check("slow", slow)
        status, text, _ = await get(server, "/healthz")
        assert status == 503
        assert "store: store: OSError" in text
        assert "discord: discord not connected" in text
        assert "slow: no answer within 0.2 s" in text
        assert "fine" not in text

        status, text, kind = await get(server, "/healthz", Accept="application/json")
        assert (status, kind) == (503, "application/json; charset=utf-8")
        body = json.loads(text)
        assert body["ok"] is False
        assert body["checks"]["fine"] == {"ok": True, "reason": "fine"}
        assert body["checks"]["discord"] == {"ok": False, "reason": "discord not connected"}

        connected = True
        server.checks.pop("store")
        server.checks.pop("slow")
        assert (await get(server, "/healthz"))[0] == 200


async def test_metrics_text_has_the_recorded_counters() -> None:
    metrics = Metrics()
    metrics.question("discord", "slash")
    metrics.question("discord", "slash")
    metrics.answered("discord", "slash")
    metrics.question("slack", "auto")
    metrics.abstained("slack", "auto")
    metrics.auto_reply("discord")
    metrics.vote("slack", helpful=False)
    metrics.gap("discord")
    metrics.reconnect("discord")
    metrics.knowledge(curated=180, catalog=900)
    metrics.imported(at=1_700_000_000.0)
    with metrics.timed_search():
        pass
    metrics.search(0.003)
    async with HttpServer("127.0.0.1", 0, metrics) as server:
        status, text, kind = await get(server, "/metrics")
    assert status == 200
    assert kind.startswith("text/plain; version=0.0.4")
    for line in (
        'supportbot_questions_total{mode="slash",platform="discord"} 2.0',
        'supportbot_answers_total{mode="slash",platform="discord"} 1.0',
        'supportbot_questions_total{mode="auto",platform="slack"} 1.0',
        'supportbot_abstentions_total{mode="auto",platform="slack"} 1.0',
        'supportbot_abstentions_total{mode="slash",platform="discord"} 0.0',
        'supportbot_auto_replies_total{platform="discord"} 1.0',
        'supportbot_feedback_total{platform="slack",vote="down"} 1.0',
        'supportbot_feedback_total{platform="slack",vote="up"} 0.0',
        'supportbot_gaps_recorded_total{platform="discord"} 1.0',
        'supportbot_platform_reconnects_total{platform="discord"} 1.0',
        'supportbot_knowledge_entries{kind="curated"} 180.0',
        'supportbot_knowledge_entries{kind="catalog"} 900.0',
        "supportbot_knowledge_last_import_timestamp_seconds 1.7e+09",
        "supportbot_search_seconds_count 2.0",
        'supportbot_search_seconds_bucket{le="0.005"} 2.0',
    ):
        assert line in text.splitlines(), line


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.question("cli", "cli")
    assert b'supportbot_questions_total{mode="cli",platform="cli"} 1.0' in first.render()
    assert b'supportbot_questions_total{mode="cli",platform="cli"} 0.0' in second.render()


async def test_no_metrics_route_without_metrics_and_mounted_routes_are_served() -> None:
    async def events(request: web.Request) -> web.Response:
        return web.Response(text="slack " + await request.text())

    server = HttpServer("127.0.0.1", 0)
    server.add_route("POST", "/slack/events", events)
    async with server:
        assert (await get(server, "/metrics"))[0] == 404
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{server.port}/slack/events", data="hi") as response,
        ):
            assert (response.status, await response.text()) == (200, "slack hi")
        with pytest.raises(RuntimeError, match="before the server starts"):
            server.add_route("GET", "/late", events)
    await server.stop()  # idempotent


async def test_questions_through_the_core_are_counted(engine: Engine) -> None:
    """Every platform goes through Engine.answer, so the counts need nothing from the adapters."""
    help_channel = Place("console", "local", "help")
    await engine.answer(Incoming("Error Domain=NSURLErrorDomain Code=-1009", Mode.SLASH, Place("discord", "g", "c")))
    await engine.set_channel("console", "local", "help", "t", auto_reply=True)
    await engine.answer(Incoming("Error Domain=NSURLErrorDomain Code=-1009", Mode.AUTO, help_channel))
    await engine.answer(Incoming("good morning everyone", Mode.AUTO, help_channel))
    answer = await engine.answer(Incoming("URLSession fails with -10987", Mode.CONTEXT, Place("slack", "T", "C")))
    assert answer is not None and answer.query_id is not None
    await engine.feedback(answer.query_id, "slack:U1", False)
    text = engine.metrics.render().decode()
    assert 'supportbot_questions_total{mode="slash",platform="discord"} 1.0' in text
    assert 'supportbot_answers_total{mode="auto",platform="console"} 1.0' in text
    assert 'supportbot_abstentions_total{mode="auto",platform="console"} 1.0' in text
    assert 'supportbot_auto_replies_total{platform="console"} 1.0' in text
    assert 'supportbot_feedback_total{platform="slack",vote="down"} 1.0' in text
    assert 'supportbot_gaps_recorded_total{platform="slack"} 1.0' in text
    assert "supportbot_search_seconds_count 4.0" in text
    assert 'supportbot_knowledge_entries{kind="curated"}' in text
