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
