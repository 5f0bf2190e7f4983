"""Tiny server-rendered SVG charts: stacked bars and lines, no script, no external assets.

Every label passes through :func:`markupsafe.escape`; colours are presentation attributes, so
the page's Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

PALETTE = ("#2563eb", "#db2777", "#16a34a", "#d97706", "#7c3aed", "#0891b2")
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 40


def _frame(title: str, body: list[str], legend: Sequence[str]) -> Markup:
    keys = "".join(
        f'<rect x="{LEFT + i * 130}" y="{HEIGHT - 14}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
        f'<text x="{LEFT + i * 130 + 14}" y="{HEIGHT - 5}" font-size="11">{escape(name)}</text>'
        for i, name in enumerate(legend)
    )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}{keys}</svg>'
    )


def _axes(labels: Sequence[str], top_label: str, step: float) -> list[str]:
    base = HEIGHT - BOTTOM
    out = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#999"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 10}" font-size="10" text-anchor="end">{escape(top_label)}</text>',
        f'<text x="{LEFT - 4}" y="{base}" font-size="10" text-anchor="end">0</text>',
    ]
    # Label about eight days along the axis, however many there are.
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + step * (i + 0.5)
            out.append(f'<text x="{x:.1f}" y="{base + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>')
    return out


def bar_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """Stacked bars, one per label; ``series`` maps a legend name to one value per label."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    peak = max([*totals, 1])
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    plot = HEIGHT - TOP - BOTTOM
    body = _axes(labels, str(peak), step)
    for i in range(len(labels)):
        y = float(HEIGHT - BOTTOM)
        for n, (name, values) in enumerate(series.items()):
            h = plot * values[i] / peak
            if h <= 0:
                continue
            y -= h
            body.append(
                f'<rect x="{LEFT + step * i + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(labels[i])} '
                f"{escape(name)}: {values[i]}</title></rect>"
            )
    return _frame(title, body, list(series))


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> Markup:
    """Lines of percentages (0 to 100); ``None`` leaves a gap (a day with nothing to measure)."""
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    plot = HEIGHT - TOP - BOTTOM
    body = _axes(labels, "100%", step)
    for n, values in enumerate(series.values()):
        colour = PALETTE[n % len(PALETTE)]
        points = [
            (LEFT + step * (i + 0.5), HEIGHT - BOTTOM - plot * min(max(v, 0.0), 100.0) / 100)
            for i, v in enumerate(values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
    return _frame(title, body, list(series))


def hbar_chart(title: str, rows: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, one row per (label, count): top entries."""
    peak = max([c for _, c in rows] + [1])
    height = 24 * len(rows) + 10
    body = []
    for i, (label, count) in enumerate(rows):
        y = 5 + 24 * i
        w = (WIDTH - 260) * count / peak
        body.append(
            f'<text x="0" y="{y + 14}" font-size="11">{escape(label[:38])}</text>'
            f'<rect x="240" y="{y}" width="{w:.1f}" height="18" fill="{PALETTE[0]}"/>'
            f'<text x="{244 + w:.1f}" y="{y + 14}" font-size="11">{count}</text>'
        )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )
