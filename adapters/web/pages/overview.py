"""The overview: questions per day by platform, the share answered and auto-replied, the
helpful rate, the entries answered most and the misses (codes nothing answered)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiohttp import web

from adapters.web.context import dashboard_of, render
from adapters.web.svg import bar_chart, hbar_chart, line_chart
from bot.reports import gap_key
from bot.store.base import DailyCount

DAYS = 30


def last_days(days: int, today: datetime | None = None) -> list[str]:
    """The ``days`` dates ending today (UTC), oldest first, as YYYY-MM-DD."""
    end = (today or datetime.now(UTC)).date()
    return [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def charts(counts: Sequence[DailyCount], days: list[str]) -> dict[str, object]:
    """The three day charts from the store's per-day, per-platform counts."""
    by_platform: dict[str, dict[str, int]] = defaultdict(dict)
    totals: dict[str, list[int]] = {d: [0, 0, 0, 0, 0] for d in days}
    for c in counts:
        if c.day not in totals:
            continue
        by_platform[c.platform][c.day] = c.questions
        for i, value in enumerate((c.questions, c.answered, c.auto_replied, c.helpful, c.unhelpful)):
            totals[c.day][i] += value
    labels = [d[5:] for d in days]
    questions = {p: [per.get(d, 0) for d in days] for p, per in sorted(by_platform.items())}
    rows = [totals[d] for d in days]
    return {
        "questions": bar_chart("Questions per day by platform", labels, questions or {"none": [0] * len(days)}),
        "shares": line_chart(
            "Share answered and auto-replied",
            labels,
            {"answered %": [_share(r[1], r[0]) for r in rows], "auto-replied %": [_share(r[2], r[0]) for r in rows]},
        ),
        "helpful": line_chart("Helpful rate", labels, {"helpful %": [_share(r[3], r[3] + r[4]) for r in rows]}),
        "total": sum(r[0] for r in rows),
    }


async def overview(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    days = last_days(DAYS)
    counts = await dash.engine.store.daily_counts(DAYS)
    stats = await dash.engine.stats()
    titles = {e.id: e.title for e in dash.engine.index.entries}
    top = [(f"{entry_id} · {titles.get(entry_id, '')}", n) for entry_id, n in stats.top_entries]
    misses = [(gap_key(g), g.count, g.text, g.last_seen) for g in await dash.engine.gaps(10)]
    votes = stats.feedback_helpful + stats.feedback_unhelpful
    return render(
        request,
        "overview.html",
        title="Overview",
        stats=stats,
        helpful_rate=_share(stats.feedback_helpful, votes),
        charts=charts(counts, days),
        top=hbar_chart("Entries answered most", top) if top else None,
        misses=misses,
        days=DAYS,
    )


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/", overview)
