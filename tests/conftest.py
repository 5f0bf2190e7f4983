"""Shared fixtures: a real engine over real SQLite on a temp file, with a tiny knowledge base."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.curator import Curator
from bot.engine import Engine
from bot.store.base import Store
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, Bundled, Core, bundled_index, start_core

# Modules whose `store` tests run on both backends (the rest use SQLite only, to stay fast).
BOTH_BACKENDS = {
    "test_store",
    "test_sync",
    "test_review",
    "test_chat",
    "test_pages",
    "test_auth",
    "test_scale",
    "test_scale_processes",
    "test_privacy",
}
PG_URL_VARIABLE = "SUPPORTBOT_TEST_PG_URL"
_PG_URL = os.environ.get(PG_URL_VARIABLE)  # read before _clean_env removes SUPPORTBOT_*


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "backend" in metafunc.fixturenames and module in BOTH_BACKENDS:
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    """A PostgreSQL server for the run: .ci/run's ($SUPPORTBOT_TEST_PG_URL), else one started here
    (tests/pgserver.py); None, with the reason kept, when neither is possible."""
    if _PG_URL:
        yield _PG_URL
        return
    from .pgserver import start_server

    try:
        server = start_server()
    except RuntimeError as exc:
        _PG_SKIP.append(str(exc))
        yield None
        return
    try:
        yield server.url
    finally:
        server.stop()


_PG_SKIP: list[str] = []


@pytest.fixture
def pg_url(pg_server_url: str | None) -> str:
    """The test server's URL; the test is skipped, saying why, when there is none."""
    if pg_server_url is None:
        pytest.skip(f"no PostgreSQL server: set {PG_URL_VARIABLE} or install PostgreSQL ({'; '.join(_PG_SKIP)})")
    return pg_server_url


async def empty_database(url: str) -> None:
    """Drop every table: each test starts from a fresh schema."""
    import asyncpg

    con = await asyncpg.connect(url)
    try:
        await con.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await con.close()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


async def open_test_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest, name: str = "test") -> Store:
    """A fresh, open store of ``backend``."""
    s: Store
    if backend == "postgres":
        from bot.store.pg import PostgresStore

        url = request.getfixturevalue("pg_url")
        await empty_database(url)
        s = PostgresStore(url)
    else:
        s = SQLiteStore(tmp_path / f"{name}.db")
    await s.open()
    return s


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own settings or proxies."""
    for key in list(os.environ):
        if key.startswith("SUPPORTBOT_") or key.lower() in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}:
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
async def store(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    s = await open_test_store(backend, tmp_path, request)
    yield s
    await s.close()


@pytest.fixture
async def core(store: Store) -> Core:
    """An engine and its curator on the small fixture knowledge base (fast; used by adapter tests)."""
    return await start_core(store)


@pytest.fixture
def engine(core: Core) -> Engine:
    return core.engine


@pytest.fixture
def curator(core: Core) -> Curator:
    return core.curator


@pytest.fixture
async def bundled_core(tmp_path: Path) -> AsyncIterator[Core]:
    """An engine and curator on the bundled knowledge base, in a database of their own."""
    s = SQLiteStore(tmp_path / "bundled.db")
    await s.open()
    yield await start_core(s, BUNDLED_KB)
    await s.close()


@pytest.fixture(scope="session")
def bundled() -> Bundled:
    """The bundled knowledge base's index and extractor, built once: searches only read them."""
    return bundled_index()
