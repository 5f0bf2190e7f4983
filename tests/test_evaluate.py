"""The eval's scoring rules, on the bundled knowledge base and questions written for these tests."""

from __future__ import annotations

from pathlib import Path

from bot.evaluate import Case, evaluate
from bot.store.sqlite import SQLiteStore

from .core import BUNDLED_KB, start_core

PORTAL = (
    "Guests on our conference Wi-Fi get -1009 from every request until they open the browser and accept "
    "the captive portal sign-in page. How does iOS detect a captive portal, and can a hotspot helper "
    "answer the portal for them?"
)


async def _report(tmp_path: Path, cases: list[Case]) -> dict[str, object]:
    store = SQLiteStore(tmp_path / "e.db")
    await store.open()
    try:
        engine = (await start_core(store, BUNDLED_KB)).engine
        return evaluate(engine, cases).summary()
    finally:
        await store.close()


async def test_a_combined_answer_is_right_when_either_part_is_expected(tmp_path: Path) -> None:
    cases = [
        Case("topic", PORTAL, {"entry": "captive-portal-authentication"}, "t"),
        Case("error", PORTAL, {"symbol": "NSURLErrorNotConnectedToInternet"}, "t"),
    ]
    s = await _report(tmp_path, cases)
    assert (s["top1"], s["auto_replies"], s["auto_reply_precision"]) == (1.0, 2, 1.0)


async def test_a_combined_answer_is_wrong_when_neither_part_is_expected(tmp_path: Path) -> None:
    s = await _report(tmp_path, [Case("other", PORTAL, {"entry": "wifi-aware-ios26"}, "t")])
    assert (s["top1"], s["auto_replies"], s["auto_reply_precision"]) == (0.0, 1, 0.0)


async def test_figures_are_counted_per_kind(tmp_path: Path) -> None:
    cases = [
        Case(
            "e",
            'Error Domain=NSURLErrorDomain Code=-1009 "offline"',
            {"symbol": "NSURLErrorNotConnectedToInternet"},
            "t",
            "error",
        ),
        Case("w", PORTAL, {"entry": "wifi-aware-ios26"}, "t", "error-topic"),
        Case("o", "What is a good recipe for banana bread?", {"abstain": True}, "t", "offtopic"),
    ]
    kinds = (await _report(tmp_path, cases))["kinds"]
    assert kinds == {
        "error": {"n": 1, "top1": 1.0, "auto_replies": 1, "precision": 1.0},
        "error-topic": {"n": 1, "top1": 0.0, "auto_replies": 1, "precision": 0.0},
        "offtopic": {"n": 1, "top1": 1.0, "auto_replies": 0, "precision": None},
    }
