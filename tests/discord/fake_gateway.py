"""The fake's gateway: HELLO, IDENTIFY (token and intents checked), READY, GUILD_CREATE, heartbeats."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from tests.discord.fake_discord import FakeDiscord


class Session:
    """One gateway connection (one shard)."""

    def __init__(self, fake: FakeDiscord, ws: web.WebSocketResponse) -> None:
        self.fake = fake
        self.ws = ws
        self.seq = 0
        self.shard = (0, 1)
        self.ready = False
        self.lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        async with self.lock:
            if not self.ws.closed:
                await self.ws.send_str(json.dumps(payload))

    async def send_dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.send({"op": 0, "t": event, "s": self.seq, "d": data})

    async def identify(self, d: dict[str, Any]) -> None:
        fake = self.fake
        fake.identifies.append(d)
        if d.get("token") != fake.token:
            await self.ws.close(code=4004, message=b"Authentication failed.")
            return
        if (int(d.get("intents", 0)) & (1 << 15)) and not fake.privileged_intents:
            await self.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = d.get("shard") or [0, 1]
        self.shard = (int(shard[0]), int(shard[1]))
        guilds = [g for g in fake.world.guilds if fake.shard_of(g, self.shard[1]) == self.shard[0]]
        await self.send_dispatch(
            "READY",
            {
                "v": 10,
                "user": fake.user_payload(fake.world.bot),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": secrets.token_hex(16),
                "resume_gateway_url": fake.gateway_url,
                "shard": list(self.shard),
                "application": {"id": str(fake.world.bot.id), "flags": 0},
            },
        )
        for g in guilds:
            await self.send_dispatch("GUILD_CREATE", g.payload(fake.member_payload(fake.world.bot)))
        self.ready = True


async def gateway_handler(fake: FakeDiscord, request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    session = Session(fake, ws)
    fake.sessions.append(session)
    await session.send({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                await session.send({"op": 11})
            elif op == 2:
                await session.identify(data["d"])
            elif op == 6:
                await session.send({"op": 9, "d": False})  # no resuming here: identify afresh
            await fake.changed()
    finally:
        fake.sessions.remove(session)
        await fake.changed()
    return ws
