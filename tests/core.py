"""What many tests share: the knowledge trees they run on and an engine with its curator."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import aiohttp

from bot.combine import asked_topic_first
from bot.curator import Curator, assemble
from bot.domains import load_domains
from bot.engine import Engine
from bot.extract import Extractor
from bot.index import Index
from bot.knowledge.tree import read_knowledge
from bot.metrics import Metrics
from bot.models import Answer, Combined, Entry, KnownIssue, Match, Mode, Outcome
from bot.policy import Decision, Policy, decide
from bot.rank import SearchResult, search
from bot.settings import EngineSettings
from bot.store.base import Store

T = TypeVar("T")
FIXTURE_KB = Path(__file__).parent / "fixtures" / "knowledge"
BUNDLED_KB = Path(__file__).parent.parent / "knowledge"
Bundled = tuple[Index, Extractor]  # the bundled knowledge base's index and extractor (conftest's ``bundled``)


def bundled_index() -> Bundled:
    """An index and extractor over the bundled knowledge base, without a store."""
    domains = load_domains(BUNDLED_KB / "domains.toml")
    return Index(read_knowledge(BUNDLED_KB).entries, domains), Extractor(domains)


def ranked_in(bundled: Bundled, text: str) -> SearchResult:
    """The ranking of ``text`` over ``bundled`` before the topic a question asks about is moved first."""
    index, extractor = bundled
    return search(index, extractor.extract(text))


def search_in(bundled: Bundled, text: str) -> SearchResult:
    """The ranking of ``text`` over ``bundled``, as the engine gives it with the default policy."""
    index, extractor = bundled
    policy = Policy()
    return asked_topic_first(search(index, extractor.extract(text)), policy.auto_threshold, policy.auto_margin)


def decide_in(bundled: Bundled, text: str, mode: Mode = Mode.AUTO) -> Decision:
    """What the default policy does with ``text`` asked in ``mode``."""
    return decide(search_in(bundled, text), mode, Policy())


@dataclass(frozen=True)
class Core:
    engine: Engine
    curator: Curator


async def start_core(store: Store, kb: Path | None = FIXTURE_KB, settings: EngineSettings | None = None) -> Core:
    """An engine and curator on ``kb``, started (imported and indexed), with no warnings."""
    engine, curator = assemble(store, kb, settings or EngineSettings())
    warnings = await curator.start()
    assert not warnings, warnings
    return Core(engine, curator)


async def eventually(probe: Callable[[], Awaitable[T]], within: float = 10.0, step: float = 0.02) -> T:
    """``await probe()`` until it returns something truthy; fail after ``within`` seconds. For
    state only visible by asking (a health endpoint), where there is no event to wait on."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    for _ in itertools.count():
        result = await probe()
        if result or loop.time() > deadline:
            break
        await asyncio.sleep(step)
    assert result, f"not true within {within:g} s"
    return result


async def http_get(url: str) -> tuple[int, str]:
    """Status and text of ``GET url`` (for /healthz and /metrics)."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (yet): a platform that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reconnects(metrics: Metrics, platform: str) -> float:
    """How many reconnections ``metrics`` counted for ``platform``."""
    value = metrics.registry.get_sample_value("supportbot_platform_reconnects_total", {"platform": platform})
    return value or 0.0


async def health_saying(url: str, words: str) -> tuple[int, str] | None:
    """``GET url``'s status and text when the text contains ``words``, else None (for eventually);
    None too while nothing listens there yet."""
    try:
        status, text = await http_get(url)
    except aiohttp.ClientConnectionError:
        return None
    return (status, text) if words in text else None


# A log written for these tests: URLSession reports -1202, and the paste nests the SSL cause
# (-9813, errSSLNoRootCert) twice, as "[3:-9813]" and as _kCFStreamErrorCodeKey. One combined answer.
UNTRUSTED_PASTE = (
    "2026-12-02 09:14:55.120 Courier[3321:88012] Task <5D1F0C2E>.<2> HTTP load failed, 0/0 bytes "
    "(error code: -1202 [3:-9813])\n"
    "2026-12-02 09:14:55.121 Courier[3321:88012] Task <5D1F0C2E>.<2> finished with error [-1202] "
    'Error Domain=NSURLErrorDomain Code=-1202 "The certificate for this server is invalid." '
    "UserInfo={NSErrorFailingURLStringKey=https://sync.courier.test/v2/inbox, _kCFStreamErrorDomainKey=3, "
    "_kCFStreamErrorCodeKey=-9813}"
)
CAUSE_ID = "errssl-9813-no-root-cert"
OUTER_ID = "urlerror-1202-server-certificate-untrusted"


def same_database(store: Store) -> Store:
    """A second store (not yet open) on ``store``'s database, as another process would open it."""
    from bot.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    from bot.store.pg import PostgresStore

    assert isinstance(store, PostgresStore)
    return PostgresStore(store.url)


def widget_explained() -> tuple[Answer, Answer]:
    """Two combined answers written for the renderers' tests: a topic with no known issue explaining
    code 4, whose entry has one, and the same topic explaining code 3, whose entry has none."""
    issue = KnownIssue("open", "macOS 99: code 4 though it is installed (reports)", "", "", "2026-01-01")
    topic = Entry("widget-activation", "howto", "Activating a widget", "Install it, then approve it.")
    error = Entry("widget-4", "error", "WidgetError 4: not found", "Code 4 means no widget.", known_issue=issue)
    out = []
    for outer in (error, replace(error, id="widget-3", known_issue=None)):
        combined = Combined(Match(outer, 0.95, ()), Match(topic, 0.6, ()), False, "WidgetError 4", topic.title)
        out.append(Answer(Outcome.ANSWER, combined.parts, True, 7, (), (), "", combined))
    return out[0], out[1]
