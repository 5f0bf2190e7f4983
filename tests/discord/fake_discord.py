"""A small, strict fake of Discord on 127.0.0.1: the REST routes the bot calls and a gateway.

It is driven by the real, unmodified discord.py. Strict, as Discord is:
- 404 (JSON) for any route it does not implement, 401 for a wrong or missing token;
- 10062 for a first interaction response after the deadline, 40060 for a second
  acknowledgement, 10015 for a follow-up before any acknowledgement;
- 400 (50035) for bodies over Discord's limits (embeds, components, modals, commands);
- 429 with ``Via`` and ``retry_after`` when a test asks for one;
- the bot's own messages are echoed back as MESSAGE_CREATE, so a reply loop would show.

Everything the bot did is recorded (``requests``, ``sent``, ``interactions``), and anything a
real Discord would have refused or a user would have suffered (a ping) goes to ``violations``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.discord import fake_checks as checks
from tests.discord.fake_gateway import Session
from tests.discord.fake_members import MemberActions
from tests.discord.fake_records import Interaction, Sent
from tests.discord.fake_world import Channel, Guild, User, World

ROUTE_PREFIX = "/api/v10"


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py reads the body as text when a charset follows.
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"code": code, "message": message}, status)


class FakeDiscord(MemberActions):
    """The fake server. ``await start()``, point the bot at ``api_url`` / ``gateway_url``."""

    def __init__(self, world: World, token: str = "fake-token", *, deadline: float = 3.0) -> None:
        self.world = world
        self.token = token
        self.deadline = deadline
        self.privileged_intents = True  # False: the Message Content intent is not enabled in the portal
        self.requests: list[tuple[str, str, int]] = []
        self.sent: list[Sent] = []
        self.violations: list[str] = []
        self.interactions: dict[int, Interaction] = {}
        self.commands: list[dict[str, Any]] = []
        self.cdn_requests: list[str] = []
        self.cdn_redirects: dict[str, str] = {}  # attachment file name -> where the CDN redirects it
        self.identifies: list[dict[str, Any]] = []
        self.sessions: list[Session] = []
        self.rate_limits: list[tuple[str, re.Pattern[str], float]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(world.first_id)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (0: any free port; a fixed one to come up where a bot already waits)."""
        app = web.Application(middlewares=[self._middleware], client_max_size=50_000_000)
        from tests.discord.fake_routes import add_routes

        add_routes(app, self)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for s in list(self.sessions):
            await s.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base + ROUTE_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def next_id(self) -> int:
        return next(self._ids)

    # ------------------------------------------------------------ recording and waiting

    async def changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], seconds: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every request), return it."""
        async with asyncio.timeout(seconds):
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

    def violate(self, what: str) -> None:
        self.violations.append(what)

    def rate_limit_next(self, method: str, path_regex: str, retry_after: float = 0.05) -> None:
        """Answer the next matching request with 429 (as Discord's per-route limits do)."""
        self.rate_limits.append((method, re.compile(path_regex), retry_after))

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = request.path
        try:
            if path.startswith(ROUTE_PREFIX):
                rel = path[len(ROUTE_PREFIX) :]
                for i, (method, pattern, retry) in enumerate(self.rate_limits):
                    if method == request.method and pattern.fullmatch(rel):
                        del self.rate_limits[i]
                        self.requests.append((request.method, rel, 429))
                        body = {"message": "You are being rate limited.", "retry_after": retry, "global": False}
                        resp = json_response(body, 429)
                        resp.headers.update(
                            {"Via": "1.1 google", "Retry-After": str(retry), "X-RateLimit-Scope": "user"}
                        )
                        return resp
                needs_auth = not rel.startswith(("/interactions/", "/webhooks/"))
                if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
                    self.requests.append((request.method, rel, 401))
                    return error(401, 0, "401: Unauthorized")
            try:
                response = await handler(request)
            except web.HTTPNotFound:
                self.violate(f"unimplemented route {request.method} {path}")
                response = error(404, 0, "404: Not Found")
            except web.HTTPMethodNotAllowed:
                self.violate(f"unimplemented method {request.method} {path}")
                response = error(405, 0, "405: Method Not Allowed")
            if path.startswith(ROUTE_PREFIX):
                self.requests.append((request.method, path[len(ROUTE_PREFIX) :], response.status))
            return response
        finally:
            await self.changed()

    # ------------------------------------------------------------ messages

    def user_payload(self, user: User) -> dict[str, Any]:
        return {
            "id": str(user.id),
            "username": user.name,
            "discriminator": "0",
            "global_name": user.name,
            "avatar": None,
            "bot": user.bot,
            "public_flags": 0,
        }

    def member_payload(self, user: User, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in user.roles],
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload(user)
        return data

    def new_message(self, channel: Channel, author: User, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "id": str(self.next_id()),
            "channel_id": str(channel.id),
            "author": self.user_payload(author),
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": body.get("attachments") or [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
        }
        if channel.guild is not None:
            msg["guild_id"] = str(channel.guild.id)
        msg.update(extra)
        self.messages[int(msg["id"])] = msg
        return msg

    async def record_bot_message(
        self, channel: Channel, body: dict[str, Any], via: str, files: dict[str, bytes], **extra: Any
    ) -> Sent:
        """A message from the bot: checked, recorded, and echoed on the gateway unless ephemeral."""
        replied = None
        ref = body.get("message_reference")
        if ref is not None:
            target = self.messages.get(int(ref["message_id"]))
            if target is None:
                raise ValueError("unknown referenced message")
            replied = target["author"]["id"]
            extra.setdefault("type", 19)
            extra["message_reference"] = {"message_id": str(ref["message_id"]), "channel_id": str(channel.id)}
            extra["referenced_message"] = target
        attachments = [
            {
                "id": str(self.next_id()),
                "filename": name,
                "size": len(data),
                "url": f"{self.base}/attachments/bot/{name}",
            }
            | {"proxy_url": f"{self.base}/attachments/bot/{name}"}
            for name, data in files.items()
        ]
        msg = self.new_message(channel, self.world.bot, body | {"attachments": attachments}, **extra)
        allowed = body.get("allowed_mentions")
        if allowed is None or any(allowed.get(k) for k in ("parse", "users", "roles", "replied_user")):
            # Whatever the content, a message must not be able to ping anyone.
            self.violate(f"message {msg['id']} allows pings: {allowed}")
        sent = Sent(msg, via, files, checks.pings(msg["content"], body.get("allowed_mentions"), replied))
        if sent.pings:
            self.violate(f"message {msg['id']} pings {sent.pings}")
        self.sent.append(sent)
        if not sent.ephemeral:
            await self.dispatch(
                "MESSAGE_CREATE", msg | {"member": self.member_payload(self.world.bot, False)}, channel.guild
            )
        return sent

    def sent_in(self, channel: Channel, *, include_deleted: bool = False) -> list[Sent]:
        return [s for s in self.sent if s.channel_id == channel.id and (include_deleted or not s.deleted)]

    # ------------------------------------------------------------ gateway

    def shard_of(self, guild: Guild, shard_count: int) -> int:
        return (guild.id >> 22) % shard_count

    async def dispatch(self, event: str, data: dict[str, Any], guild: Guild | None) -> None:
        for s in list(self.sessions):
            if s.ready and (guild is None or self.shard_of(guild, s.shard[1]) == s.shard[0]):
                await s.send_dispatch(event, data)

    async def wait_ready(self, shards: int = 1) -> None:
        await self.wait_for(lambda: sum(1 for s in self.sessions if s.ready) >= shards)
