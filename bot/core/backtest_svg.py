"""Inline SVG bar charts for the backtest page: no script, no fonts or styles from elsewhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

COLOURS = {"L1": "#2e7d32", "L2": "#1565c0", "L3": "#c62828", "none": "#757575"}
BAR_COLOUR = "#546e7a"
HEIGHT, TOP, BOTTOM, LEFT = 250, 16, 72, 64


@dataclass(frozen=True)
class Stack:
    """One bar: its label under the axis and the count of each series, bottom first."""

    label: str
    counts: Mapping[str, int]


def stacked_bars(stacks: Sequence[Stack], series: Sequence[str], title: str) -> str:
    """A stacked bar chart, one bar per stack; each segment says its count on hover."""
    slot = max(18, min(96, 900 // max(1, len(stacks))))
    width = LEFT + slot * len(stacks) + 16
    peak = max([sum(s.counts.values()) for s in stacks] or [0]) or 1
    scale = (HEIGHT - TOP - BOTTOM) / peak
    parts = [_axis(width, peak)]
    for index, stack in enumerate(stacks):
        x = LEFT + index * slot + 3
        base: float = HEIGHT - BOTTOM
        for name in series:
            count = stack.counts.get(name, 0)
            if count == 0:
                continue
            tall = count * scale
            base -= tall
            fill = COLOURS.get(name, BAR_COLOUR)
            parts.append(_bar(x, base, slot - 6, tall, fill, f"{stack.label} {name}: {count}"))
        parts.append(_label(x + (slot - 6) / 2, stack.label, rotate=slot < 90))
    return _svg(width, title, parts)


def bars(counts: Mapping[str, int], title: str) -> str:
    """A plain bar chart, one bar per key, with the count above each bar."""
    slot = 72
    width = LEFT + slot * len(counts) + 16
    peak = max([*counts.values(), 0]) or 1
    scale = (HEIGHT - TOP - BOTTOM) / peak
    parts = [_axis(width, peak)]
    for index, (name, count) in enumerate(counts.items()):
        x = LEFT + index * slot + 8
        tall = count * scale
        y = HEIGHT - BOTTOM - tall
        parts.append(_bar(x, y, slot - 16, tall, BAR_COLOUR, f"{name}: {count}"))
        parts.append(
            f'<text x="{x + (slot - 16) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="12">{count}</text>'
        )
        parts.append(_label(x + (slot - 16) / 2, name, rotate=False))
    return _svg(width, title, parts)


def legend(series: Sequence[str]) -> str:
    items = [
        f'<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" '
        f'height="12" fill="{COLOURS.get(name, BAR_COLOUR)}"/></svg> {escape(name)}</span>'
        for name in series
    ]
    return '<p class="legend">' + " ".join(items) + "</p>"


def _svg(width: int, title: str, parts: list[str]) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {HEIGHT}" width="{width}" '
        f'height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def _axis(width: int, peak: int) -> str:
    floor = HEIGHT - BOTTOM
    return (
        f'<line x1="{LEFT}" y1="{floor}" x2="{width - 8}" y2="{floor}" stroke="#999"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{floor}" stroke="#999"/>'
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{peak}</text>'
        f'<text x="{LEFT - 6}" y="{floor}" text-anchor="end" font-size="11">0</text>'
    )


def _bar(x: float, y: float, width: float, height: float, fill: str, tip: str) -> str:
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def _label(x: float, text: str, *, rotate: bool) -> str:
    y = HEIGHT - BOTTOM + 14
    turn = f' transform="rotate(-40 {x:.1f} {y})"' if rotate else ""
    anchor = "end" if rotate else "middle"
    return (
        f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" font-size="11"{turn}>'
        f"{escape(text)}</text>"
    )
