"""What every chart shares: the accessible ``<svg>`` root, the title, axes and lines."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from .formatting import format_compact
from .params import Measure
from .svg import (
    FONT_FAMILY,
    GRID,
    INK,
    MUTED,
    SVG_NS,
    check_id,
    element,
    num,
    text,
    text_node,
    truncate,
)

WIDTH = 800
PLOT_HEIGHT = 280
LABEL_SIZE = 12

Scale = Callable[[float], float]


def axis_title(x: float, y: float, content: str) -> str:
    """A bold, centred axis title."""
    return text(x, y, content, font_size=12, font_weight="bold", text_anchor="middle", fill=INK)


def document(ident: str, title: str, description: str, height: float, parts: list[str]) -> str:
    """Wrap drawn ``parts`` in the accessible ``<svg>`` root, title and description first."""
    size = f"0 0 {WIDTH} {num(height)}"
    return element(
        "svg",
        element("title", text_node(title), id=f"{ident}-title"),
        element("desc", text_node(description), id=f"{ident}-desc"),
        element("rect", x=0, y=0, width=WIDTH, height=num(height), fill="#ffffff"),
        *parts,
        xmlns=SVG_NS,
        version="1.1",
        role="img",
        aria_labelledby=f"{ident}-title {ident}-desc",
        viewBox=size,
        width=WIDTH,
        height=num(height),
        font_family=FONT_FAMILY,
    )


def chart_id(kind: str, given: str | None, title: str, description: str) -> str:
    """The chart's id prefix: ``given`` if safe, else one derived from its content."""
    if given:
        return check_id(given)
    digest = hashlib.sha256(f"{kind}\n{title}\n{description}".encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


def heading(title: str) -> str:
    """The visible title, top left."""
    return text(16, 28, truncate(title, WIDTH - 32, 16), font_size=16, font_weight="bold", fill=INK)


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    colour: str,
    *,
    width: float = 1.0,
    dash: str | None = None,
) -> str:
    """A straight line."""
    return element(
        "line",
        x1=float(x1),
        y1=float(y1),
        x2=float(x2),
        y2=float(y2),
        stroke=colour,
        stroke_width=float(width),
        stroke_dasharray=dash,
    )


def rotated_label(x: float, y: float, content: str, angle: int) -> str:
    """A bold axis title turned by ``angle`` degrees about (x, y)."""
    return text(
        x,
        y,
        content,
        font_size=12,
        font_weight="bold",
        text_anchor="middle",
        fill=INK,
        transform=f"rotate({angle} {num(x)} {num(y)})",
    )


def value_axis(
    ticks: list[float], measure: Measure, left: float, right: float, y_of: Scale
) -> list[str]:
    """Gridlines and left-hand tick labels for the measure, and the left axis line."""
    parts: list[str] = []
    for tick in ticks:
        y = y_of(tick)
        if tick:
            parts.append(line(left, y, right, y, GRID))
        parts.append(line(left - 5, y, left, y, MUTED))
        label = f"{tick:,.0f}" if measure == "count" else format_compact(tick, "cost")
        parts.append(text(left - 9, y + 4, label, font_size=11, text_anchor="end", fill=MUTED))
    parts.append(line(left, y_of(ticks[-1]), left, y_of(0), MUTED))
    return parts


def no_data(x: float, y: float) -> str:
    """The message shown in place of an empty chart."""
    return text(
        x,
        y,
        "No complaints match the chosen filters.",
        font_size=13,
        text_anchor="middle",
        fill=MUTED,
    )
