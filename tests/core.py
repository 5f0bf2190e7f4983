"""What many tests share: the knowledge trees they run on and an engine with its curator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.curator import Curator, assemble
from bot.engine import Engine
from bot.settings import EngineSettings
from bot.store.base import Store

FIXTURE_KB = Path(__file__).parent / "fixtures" / "knowledge"
BUNDLED_KB = Path(__file__).parent.parent / "knowledge"


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
