"""A local fake of Slack for end-to-end tests, on 127.0.0.1 only.

It plays both sides of Slack:
- the Web API (``/api/<method>``) the bot's AsyncWebClient calls, recording every call,
  checking tokens, rate limiting on request (429 + Retry-After, enforced for the whole
  window), and serving files.info, file downloads and the files upload flow;
- ``response_url`` endpoints, recording what the bot posts to them;
- the Socket Mode websocket that apps.connections.open points to: it sends ``hello`` and
  envelopes and records acknowledgements, failing an envelope not acknowledged in 3 s.

What Slack sends to the app over HTTP (payloads, and the signed sender) is in payloads.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEST"
APP_ID = "A0TEST"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
DEADLINE = 3.0  # Slack's acknowledgement deadline, enforced by this fake unless told otherwise


class DeadlineMissed(AssertionError):
    """The app did not acknowledge within Slack's 3-second deadline."""


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str
    args: dict[str, Any]
    token: str
    status: int = 200
    at: float = 0.0


@dataclass
class Posted:
    """One POST to a response_url."""

    key: str
    body: dict[str, Any]


@dataclass
class SharedFile:
    info: dict[str, Any]
    content: bytes


@dataclass
class SocketState:
    ws: web.WebSocketResponse | None = None
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    connections: int = 0


class FakeSlack:
    """The fake Slack server. ``await start()`` it, point the bot at :attr:`api_url`.

    ``deadline`` is how long an envelope may wait for its acknowledgement (Slack's is 3 s).
    """

    def __init__(self, *, deadline: float = DEADLINE) -> None:
        self.deadline = deadline
        self.calls: list[Call] = []
        self.posted: list[Posted] = []
        self.hits: list[str] = []  # every path requested, to prove what was never fetched
        self.downloads: list[tuple[str, str]] = []  # (path, Authorization header)
        self.uploads: dict[str, bytes] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.files: dict[str, SharedFile] = {}
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (channel, thread ts) -> messages
        self.errors: dict[str, str] = {}  # method -> Slack error every call returns
        self.valid_bot_tokens = {BOT_TOKEN}
        self.redirect_downloads = False
        self.download_delay = 0.0  # seconds each file download takes: a slow network, an answer in flight
        self.downloads_done = 0
        self._limits: dict[str, tuple[int, float]] = {}  # method -> (retry_after, until)
        self._pending_limits: dict[str, int] = {}
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self.socket = SocketState()
        self.port = 0
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (0: any free port; a fixed one to come up where a bot already waits)."""
        app = web.Application(middlewares=[self._record_hit])
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/files/{file_id}/{name}", self._download)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_route("*", "/{tail:.*}", self._anything)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        if self.socket.ws is not None:
            await self.socket.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"{self.base}/response/{key or uuid.uuid4().hex}"

    # ------------------------------------------------------------ test controls

    def add_user(self, user_id: str, **flags: bool) -> None:
        """Make users.info know a user; flags such as is_admin=True, is_owner=True."""
        self.users[user_id] = {"id": user_id, "name": user_id.lower(), "deleted": False, **flags}

    def add_file(self, file_id: str, name: str, content: bytes, **info: Any) -> dict[str, Any]:
        """Register a file for files.info and download; returns the file object events carry."""
        url = f"{self.base}/files/{file_id}/{name}"
        data = {"id": file_id, "name": name, "size": len(content), "url_private": url, "url_private_download": url}
        data.update(info)
        self.files[file_id] = SharedFile(data, content)
        return {"id": file_id, "name": name}

    def add_thread(self, channel: str, messages: list[dict[str, Any]]) -> None:
        """A thread conversations.replies serves: its first message's ts is the thread's."""
        self.threads[(channel, str(messages[0]["ts"]))] = messages

    def rate_limit(self, method: str, retry_after: int = 1) -> None:
        """The next call to ``method`` gets 429; so does every call until Retry-After has passed."""
        self._pending_limits[method] = retry_after

    def api(self, method: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def responses(self) -> list[dict[str, Any]]:
        return [p.body for p in self.posted]

    async def wait_for(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every request the fake sees)."""

        async def check() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(check(), within)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------ HTTP handlers

    @web.middleware
    async def _record_hit(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.hits.append(request.path)
        try:
            return await handler(request)  # type: ignore[no-any-return]
        finally:
            await self._notify()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(dict(parse_qsl(await request.text())))
        for key in ("view", "blocks", "files"):
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else str(args.get("token", ""))
        call = Call(method, args, token, at=time.monotonic())
        self.calls.append(call)
        now = time.monotonic()
        if method in self._pending_limits:
            retry_after = self._pending_limits.pop(method)
            self._limits[method] = (retry_after, now + retry_after)
        limit = self._limits.get(method)
        if limit is not None and now < limit[1]:
            call.status = 429
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(limit[0])}
            )
        expected = {APP_TOKEN} if method == "apps.connections.open" else self.valid_bot_tokens
        if token not in expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        return web.json_response(self._result(method, args))

    def _result(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "team": "Test",
                "user": "supportbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V" + ts[-6:], **(args.get("view") or {})}}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "files.info":
            shared = self.files.get(str(args.get("file")))
            return {"ok": True, "file": shared.info} if shared else {"ok": False, "error": "file_not_found"}
        if method == "files.getUploadURLExternal":
            file_id = "FUP" + ts[-6:]
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in args.get("files") or []]}
        if method == "conversations.replies":
            # As Slack: channel and ts are required, ts must be a thread's parent, oldest first.
            if not args.get("channel") or not args.get("ts"):
                return {"ok": False, "error": "invalid_arguments"}
            thread = self.threads.get((str(args["channel"]), str(args["ts"])))
            if thread is None:
                return {"ok": False, "error": "thread_not_found"}
            limit = int(args.get("limit") or 1000)
            return {"ok": True, "messages": thread[:limit], "has_more": len(thread) > limit}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    async def _response(self, request: web.Request) -> web.Response:
        self.posted.append(Posted(request.match_info["key"], await request.json()))
        return web.Response(text="ok")

    async def _download(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        self.downloads.append((request.path, auth))
        await self._notify()
        if self.download_delay:
            await asyncio.sleep(self.download_delay)
        self.downloads_done += 1
        shared = self.files.get(request.match_info["file_id"])
        if shared is None:
            return web.Response(status=404)
        if auth.removeprefix("Bearer ") not in self.valid_bot_tokens or self.redirect_downloads:
            # What Slack does without a valid token: send the browser to a sign-in page.
            return web.Response(status=302, headers={"Location": f"{self.base}/signin"})
        return web.Response(body=shared.content, content_type="text/plain")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - 1", content_type="text/plain")

    async def _anything(self, request: web.Request) -> web.Response:
        return web.Response(status=404, text="not found")

    # ------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.socket.ws = ws
        self.socket.connections += 1
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}})
        self.socket.connected.set()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            envelope_id = data.get("envelope_id")
            if envelope_id:
                self.socket.acks[envelope_id] = data
                waiter = self.socket.waiting.pop(envelope_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(data)
            await self._notify()
        return ws

    async def envelope(
        self, kind: str, payload: dict[str, Any], accepts_response_payload: bool = False
    ) -> dict[str, Any]:
        """Send one Socket Mode envelope and return the app's acknowledgement.

        Raises DeadlineMissed when no acknowledgement arrives within :attr:`deadline`, as Slack
        would then show the user an error (and retry events).
        """
        await asyncio.wait_for(self.socket.connected.wait(), 10)
        assert self.socket.ws is not None
        envelope_id = uuid.uuid4().hex
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.socket.waiting[envelope_id] = waiter
        await self.socket.ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "accepts_response_payload": accepts_response_payload,
                "payload": payload,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        try:
            return await asyncio.wait_for(waiter, self.deadline)
        except TimeoutError:
            raise DeadlineMissed(f"envelope {kind} not acknowledged within {self.deadline} s") from None
