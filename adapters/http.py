"""The operations HTTP server: ``GET /healthz``, ``GET /metrics`` and any routes mounted on it.

Health checks are async callables returning ``(ok, reason)``; ``/healthz`` runs them all at
once and answers 200 ``ok`` when every one passes, 503 with the failing names and reasons
otherwise (text, or JSON when the client asks for ``application/json``). A check that raises
or takes longer than ``check_timeout`` fails. Slack's HTTP mode can mount ``POST /slack/events``
here with :meth:`HttpServer.add_route` instead of running a server of its own.

    async with HttpServer("127.0.0.1", 8080, metrics) as server:
        ...  # serving until the block ends
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger("adapters.http")

Check = Callable[[], Awaitable[tuple[bool, str]]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


def succeeds(probe: Callable[[], Awaitable[object]], name: str) -> Check:
    """A check that passes when ``probe()`` returns, e.g. ``succeeds(engine.stats, "store")``."""

    async def check() -> tuple[bool, str]:
        try:
            await probe()
        except Exception as exc:
            return False, f"{name}: {type(exc).__name__}"
        return True, f"{name}: ok"

    return check


def flag(probe: Callable[[], bool], failing: str) -> Check:
    """A check from a synchronous condition, e.g. ``flag(client.is_ready, "discord not connected")``."""

    async def check() -> tuple[bool, str]:
        ok = probe()
        return ok, "ok" if ok else failing

    return check


class HttpServer:
    """An aiohttp server bound to ``host``/``port`` (0: any free port, see :attr:`port`)."""

    def __init__(self, host: str, port: int, metrics: Metrics | None = None, check_timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.metrics = metrics
        self.check_timeout = check_timeout
        self.checks: dict[str, Check] = {}
        self.app = web.Application()
        self.app.router.add_get(HEALTH_PATH, self._health)
        if metrics is not None:
            self.app.router.add_get(METRICS_PATH, self._metrics)
        self._runner: web.AppRunner | None = None

    def add_check(self, name: str, check: Check) -> None:
        """Make ``/healthz`` depend on ``check`` (may be added while serving)."""
        self.checks[name] = check

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``handler`` at ``method path`` too; only before :meth:`start` (aiohttp freezes routes)."""
        if self._runner is not None:
            raise RuntimeError("add routes before the server starts")
        self.app.router.add_route(method, path, handler)

    async def run_checks(self) -> dict[str, tuple[bool, str]]:
        """Every check's ``(ok, reason)``, run concurrently."""
        names = list(self.checks)
        results = await asyncio.gather(*(self._one(self.checks[name]) for name in names))
        return dict(zip(names, results, strict=True))

    async def _one(self, check: Check) -> tuple[bool, str]:
        try:
            ok, reason = await asyncio.wait_for(check(), self.check_timeout)
        except TimeoutError:
            return False, f"no answer within {self.check_timeout:g} s"
        except Exception as exc:  # a broken check is a failing check, not a broken endpoint
            log.warning("health check raised", exc_info=True)
            return False, f"check raised {type(exc).__name__}"
        return bool(ok), reason

    async def _health(self, request: web.Request) -> web.Response:
        results = await self.run_checks()
        failing = {name: reason for name, (ok, reason) in results.items() if not ok}
        status = 503 if failing else 200
        if "application/json" in request.headers.get("Accept", ""):
            body = {"ok": not failing, "checks": {n: {"ok": ok, "reason": r} for n, (ok, r) in results.items()}}
            return web.json_response(body, status=status, dumps=json.dumps)
        if not failing:
            return web.Response(text="ok\n")
        text = "".join(f"{name}: {reason}\n" for name, reason in failing.items())
        return web.Response(text=text, status=status)

    async def _metrics(self, request: web.Request) -> web.Response:
        assert self.metrics is not None  # the route exists only with metrics
        response = web.Response(body=self.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    async def start(self) -> int:
        """Start listening; returns the bound port and sets :attr:`port` to it."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("HTTP: serving %s on %s:%s", ", ".join(sorted(self._paths())), self.host, self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _paths(self) -> set[str]:
        return {r.resource.canonical for r in self.app.router.routes() if r.resource is not None}

    async def __aenter__(self) -> HttpServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
