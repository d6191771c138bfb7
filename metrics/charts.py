"""Small server-side SVG charts (no JavaScript, no CDN), shared by the dashboards and the PDF.

Each function returns a ``SafeString`` of an ``<svg>`` element whose every text is escaped.
Bars and points may carry a link (``href``) to the tickets behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2")
FONT = "font-family=\"'SD CJK','Noto Sans CJK TC',sans-serif\" font-size=\"11\""


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]
    links: Sequence[str] | None = None


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Lines over shared x labels, with a y axis from 0, a legend and a point per value."""
    left, right, top, bottom = 44, 12, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((max(s.values, default=0) for s in series), default=0))
    count = max(len(labels), 1)

    def x(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        value = top_value * fraction
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e5e7eb"/>'
            f'<text x="{left - 4}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#6b7280">'
            f"{_format(value)}</text>"
        )
    step = max(1, count // 8)
    for index, label in enumerate(labels):
        if index % step == 0 or index == count - 1:
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'fill="#374151">{escape(label)}</text>'
            )
    for number, item in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(item.values))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        for index, value in enumerate(item.values):
            dot = (
                f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(item.label)} · {escape(labels[index])}: {_format(value)}"
                "</title></circle>"
            )
            if item.links and item.links[index]:
                dot = f'<a href="{escape(item.links[index])}">{dot}</a>'
            parts.append(dot)
        legend_x = left + number * 150
        parts.append(
            f'<rect x="{legend_x}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="17" fill="#111827">{escape(item.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    links: Sequence[str] | None = None,
    width: int = 640,
    bar_height: int = 18,
    colour: str = PALETTE[0],
) -> SafeString:
    """Horizontal bars, one per label, the value written at the end of each bar."""
    label_w, right, top = 190, 50, 8
    height = top * 2 + max(len(labels), 1) * (bar_height + 6)
    top_value = _nice_max(max(values, default=0))
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * (bar_height + 6)
        length = plot_w * value / top_value
        bar = (
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{colour}"><title>{escape(label)}: {_format(value)}</title></rect>'
        )
        if links and links[index]:
            bar = f'<a href="{escape(links[index])}">{bar}</a>'
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_height - 5}" text-anchor="end" '
            f'fill="#111827">{escape(label)}</text>{bar}'
            f'<text x="{label_w + length + 4:.1f}" y="{y + bar_height - 5}" fill="#374151">'
            f"{_format(value)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
