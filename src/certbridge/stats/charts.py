"""Charts drawn on the server as SVG: a region bar chart, a time series, a composition bar and a target gauge.

No script and no CDN: each chart is inline SVG that scales to the screen (viewBox, width 100%), carries
role="img" with a title and a description in the reader's language, and is always shown next to the table
that holds the same numbers (the text alternative). Shapes never rely on colour alone: bars carry their
value as text, lines differ in dash pattern, composition parts carry their share.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#1f5fa8", "#c0392b", "#2e8b57", "#b8860b", "#6a5acd", "#008b8b", "#8b4513", "#708090")
FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'


def _frame(width: int, height: int, title: str, desc: str, body: str, *, kind: str = "") -> Markup:
    return Markup(
        f'<svg class="chart{" " + kind if kind else ""}" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT} font-size="13">'
        f'<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>')


def bar_chart(title: str, rows: list[tuple[str, int]], *, width: int = 640) -> Markup:
    """Return horizontal bars, one per (label, value), largest scale first row as given."""
    rows = rows[:40]
    top = max([v for _, v in rows] + [1])
    label_w, row_h = 150, 24
    height = row_h * max(len(rows), 1) + 10
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        bar = (width - label_w - 60) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(label[:14])}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 8}" fill="{PALETTE[0]}"/>'
                     f'<text x="{label_w + bar + 4:.1f}" y="{y + 16}">{value}</text>')
    desc = "; ".join(f"{label}: {value}" for label, value in rows)
    return _frame(width, height, title, desc, "".join(parts))


def time_series(title: str, labels: list[str], lines: list[tuple[str, list[int]]], *, width: int = 640) -> Markup:
    """Return a line chart: one line per (name, values), labels along the bottom (every few shown)."""
    height, left, bottom, top_pad = 240, 50, 40, 30
    top = max([v for _, vals in lines for v in vals] + [1])
    n = max(len(labels), 2)
    sx = (width - left - 10) / (n - 1)
    sy = (height - bottom - top_pad) / top
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{top}</text>',
             f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>']
    step = max(1, math.ceil(len(labels) / 6))
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{left + i * sx:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                         f'font-size="11">{escape(label)}</text>')
    dashes = ("", ' stroke-dasharray="6 4"', ' stroke-dasharray="2 3"')
    for k, (name, values) in enumerate(lines):
        points = " ".join(f"{left + i * sx:.1f},{height - bottom - v * sy:.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{PALETTE[k]}" stroke-width="2"{dashes[k % 3]}/>')
        parts.append(f'<line x1="{left + 150 * k}" y1="12" x2="{left + 150 * k + 24}" y2="12" stroke="{PALETTE[k]}" '
                     f'stroke-width="2"{dashes[k % 3]}/><text x="{left + 150 * k + 28}" y="16">{escape(name)}</text>')
    desc = "; ".join(f"{name}: " + ", ".join(f"{lab} {v}" for lab, v in zip(labels, values)) for name, values in lines)
    return _frame(width, height, title, desc, "".join(parts))


def composition(title: str, rows: list[tuple[str, int]], *, width: int = 640) -> Markup:
    """Return one bar split into parts by share, with a legend giving each part's value and percentage."""
    total = sum(v for _, v in rows) or 1
    parts, x = [], 0.0
    for k, (label, value) in enumerate(rows[:8]):
        w = (width - 20) * value / total
        parts.append(f'<rect x="{10 + x:.1f}" y="10" width="{w:.1f}" height="28" fill="{PALETTE[k]}"/>')
        parts.append(f'<rect x="10" y="{52 + 22 * k}" width="14" height="14" fill="{PALETTE[k]}"/>'
                     f'<text x="30" y="{64 + 22 * k}">{escape(label)}: {value} ({100 * value / total:.1f}%)</text>')
        x += w
    height = 60 + 22 * min(len(rows), 8)
    desc = "; ".join(f"{label}: {value} ({100 * value / total:.1f}%)" for label, value in rows)
    return _frame(width, height, title, desc, "".join(parts))


def gauge(title: str, value: int, threshold: int, caption: str, *, width: int = 300) -> Markup:
    """Return a half-circle gauge of value against threshold, with the numbers written under it."""
    share = min(value / threshold, 1.0) if threshold else 0.0
    cx, cy, r = width / 2, 130, 100
    angle = math.pi * (1 - share)
    ex, ey = cx + r * math.cos(angle), cy - r * math.sin(angle)
    colour = PALETTE[2] if value >= threshold else PALETTE[3]
    body = (f'<path d="M {cx - r} {cy} A {r} {r} 0 0 1 {cx + r} {cy}" fill="none" stroke="#ddd" stroke-width="22"/>'
            + (f'<path d="M {cx - r} {cy} A {r} {r} 0 0 1 {ex:.1f} {ey:.1f}" fill="none" stroke="{colour}" '
               f'stroke-width="22"/>' if share > 0 else "")
            + f'<text x="{cx}" y="{cy - 10}" text-anchor="middle" font-size="26">{value}</text>'
            f'<text x="{cx}" y="{cy + 22}" text-anchor="middle">/ {threshold} · {100 * share:.0f}%</text>'
            f'<text x="{cx}" y="{cy + 44}" text-anchor="middle" font-size="12">{escape(caption)}</text>')
    return _frame(width, 185, title, f"{caption}: {value} / {threshold} ({100 * share:.0f}%)", body, kind="gauge")
