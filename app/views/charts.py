"""Charts drawn on the server as inline SVG (no JavaScript, no CDN: intranets). Every chart is shown beside
its data table by the templates, for accessibility and printing; the SVG carries a <title> and role="img".
"""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Sequence

from markupsafe import Markup, escape

COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#c62828", None: "#9e9e9e"}


def stacked_bars(title: str, rows: Sequence[tuple[str, Mapping, int]], grades: Sequence[str]) -> Markup:
    """One horizontal bar per row (label, counts by grade, total), split by grade; not-graded in grey."""
    bar_h, gap, left, width = 18, 8, 220, 460
    height = 30 + len(rows) * (bar_h + gap) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{left + width + 20}" '
             f'height="{height}" viewBox="0 0 {left + width + 20} {height}"><title>{escape(title)}</title>']
    y = 20
    for label, counts, total in rows:
        parts.append(f'<text x="{left - 6}" y="{y + bar_h - 5}" text-anchor="end" font-size="12">{escape(label[:34])}</text>')
        x = float(left)
        for g in list(grades) + [None]:
            n = (total - sum(counts.get(k, 0) for k in grades)) if g is None else counts.get(g, 0)
            if not total or n <= 0:
                continue
            w = width * n / total
            name = "Chưa xếp loại" if g is None else g
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[g]}">'
                         f'<title>{escape(label)}: {escape(name)} {n}</title></rect>')
            x += w
        y += bar_h + gap
    x = left
    for g in list(grades) + [None]:
        name = "Chưa xếp loại" if g is None else g
        parts.append(f'<rect x="{x}" y="{y + 4}" width="12" height="12" fill="{COLORS[g]}"/>'
                     f'<text x="{x + 16}" y="{y + 14}" font-size="12">{escape(name)}</text>')
        x += 40 if g else 110
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(title: str, labels: Sequence[str], series: Mapping[str, Sequence[Decimal]]) -> Markup:
    """Shares in percent (0–100) per period, one line per grade."""
    left, top, w, h = 40, 20, 520, 200
    n = max(len(labels), 1)
    step = w / max(n - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{left + w + 30}" height="{top + h + 50}" '
             f'viewBox="0 0 {left + w + 30} {top + h + 50}"><title>{escape(title)}</title>']
    for pct in (0, 25, 50, 75, 100):
        y = top + h - h * pct / 100
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{pct}%</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{left + i * step:.1f}" y="{top + h + 16}" text-anchor="middle" font-size="10">{escape(label)}</text>')
    for g, values in series.items():
        pts = " ".join(f"{left + i * step:.1f},{top + h - h * float(v) / 100:.1f}" for i, v in enumerate(values))
        if pts:
            parts.append(f'<polyline fill="none" stroke="{COLORS.get(g, "#000")}" stroke-width="2" points="{pts}">'
                         f'<title>{escape(g)}</title></polyline>')
    x = left
    for g in series:
        parts.append(f'<rect x="{x}" y="{top + h + 28}" width="12" height="12" fill="{COLORS.get(g, "#000")}"/>'
                     f'<text x="{x + 16}" y="{top + h + 38}" font-size="12">{escape(g)}</text>')
        x += 50
    parts.append("</svg>")
    return Markup("".join(parts))
