"""Charts as standalone, accessible SVG, drawn on the server for the browser and the PDF alike.

Each chart is ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``, has a white
background and a ``viewBox`` (so it scales), and contains no script, style or external
reference. Show the table of figures (``table.py``) beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from . import chart_frame as frame
from .chart_frame import LABEL_SIZE, PLOT_HEIGHT, WIDTH, Scale
from .formatting import format_compact, format_month, format_pct, format_value, measure_label
from .params import Measure
from .pareto import Bar, Summary
from .svg import (
    BAR,
    CUMULATIVE,
    INK,
    MUTED,
    REFERENCE,
    element,
    fixed_ticks,
    marker,
    multiline_text,
    nice_ticks,
    num,
    series_style,
    text,
    text_width,
    tooltip,
    truncate,
    wrap,
)
from .trends import CategoryTrend

ROTATE_BELOW = 68  # bar slots narrower than this (px) get rotated category labels
ROTATION = 40
INSIDE_LABEL_MIN = 26  # bars at least this tall (px) carry their value inside
LEGEND_WIDTH = 214.0


def pareto_svg(
    summary: Summary,
    *,
    title: str,
    description: str,
    chart_id: str | None = None,
    show_title: bool = True,
) -> str:
    """A Pareto chart of ``summary`` as an SVG document string.

    For a category grouping: bars largest first with their values, a cumulative-percentage line
    with point markers on a right-hand 0–100% axis, and a dashed 80% reference line. For a month
    grouping: bars in month order, without the cumulative line. ``title`` and ``description``
    become the ``<title>`` and ``<desc>`` (see ``describe_summary``); ``show_title`` also draws
    the title. ``chart_id`` prefixes the element ids (default: derived from the content), so
    give each chart on a page its own.
    """
    ident = frame.chart_id("pareto", chart_id, title, description)
    measure = summary.params.measure
    is_pareto = summary.params.group_by == "category"
    bars = summary.bars
    labels = [bar.label if is_pareto else format_month(bar.label) for bar in bars]

    left, right = 84.0, WIDTH - (76.0 if is_pareto else 32.0)
    top = 84.0 if show_title else 52.0
    bottom = top + PLOT_HEIGHT
    slot = (right - left) / max(len(bars), 1)
    centres = [left + slot * (i + 0.5) for i in range(len(bars))]
    bar_width = min(slot * 0.66, 96.0)

    peak = float(max((bar.value for bar in bars), default=0))
    whole = measure == "count"
    # A Pareto's value axis has five intervals, so its gridlines are the 20% steps on the right.
    ticks = fixed_ticks(peak, whole=whole) if is_pareto else nice_ticks(peak, whole=whole)

    def y_of(value: float) -> float:
        return bottom - value / ticks[-1] * PLOT_HEIGHT

    def pct_y(pct: float) -> float:
        return bottom - pct / 100 * PLOT_HEIGHT

    parts: list[str] = []
    if show_title:
        parts.append(frame.heading(title))
    parts += frame.value_axis(ticks, measure, left, right, y_of)
    if summary.is_empty:
        parts.append(frame.no_data((left + right) / 2, (top + bottom) / 2))
    else:
        for bar, label, centre in zip(bars, labels, centres, strict=True):
            parts += _bar(
                bar, label, centre, bar_width, slot, bottom, measure, is_pareto, y_of, pct_y
            )
        if is_pareto:
            parts += _reference_line(left, right, pct_y(80))
            parts.append(_cumulative_line(bars, labels, centres, pct_y))

    parts.append(frame.line(left, bottom, right, bottom, MUTED))
    if is_pareto:
        parts.append(frame.line(right, top, right, bottom, MUTED))
        for pct in range(0, 101, 20):
            parts.append(frame.line(right, pct_y(pct), right + 5, pct_y(pct), MUTED))
            parts.append(text(right + 9, pct_y(pct) + 4, f"{pct}%", font_size=11, fill=MUTED))
        mid = (top + bottom) / 2
        parts.append(frame.rotated_label(WIDTH - 14, mid, "Cumulative percentage", 90))

    label_parts, label_depth = _category_labels(labels, centres, slot, left, bottom)
    parts += label_parts
    axis_title_y = bottom + label_depth + 18
    parts.append(frame.rotated_label(18, (top + bottom) / 2, measure_label(measure), -90))
    parts.append(
        frame.axis_title((left + right) / 2, axis_title_y, "Category" if is_pareto else "Month")
    )
    parts.append(_pareto_legend(left, top - 22, measure, is_pareto))
    return frame.document(ident, title, description, axis_title_y + 16, parts)


def trend_svg(
    trends: Sequence[CategoryTrend],
    *,
    title: str,
    description: str,
    chart_id: str | None = None,
    show_title: bool = True,
) -> str:
    """A line chart of each category's monthly figures as an SVG document string.

    One line per category, each with its own colour, dash pattern and marker shape (so none
    depends on colour alone), and a legend on the right in the same order as ``trends``.
    ``title``, ``description``, ``chart_id`` and ``show_title`` are as for ``pareto_svg``.
    """
    ident = frame.chart_id("trend", chart_id, title, description)
    months = trends[0].months if trends else ()
    measure: Measure = trends[0].measure if trends else "count"
    legend_x = WIDTH - LEGEND_WIDTH
    left, right = 84.0, legend_x - 36
    top = 60.0 if show_title else 28.0
    bottom = top + PLOT_HEIGHT
    pad = 24.0
    spacing = (right - left - 2 * pad) / max(len(months) - 1, 1)

    def x_of(index: int) -> float:
        return (left + right) / 2 if len(months) <= 1 else left + pad + index * spacing

    peak = max((float(value) for item in trends for value in item.values), default=0.0)
    ticks = nice_ticks(peak, whole=measure == "count")

    def y_of(value: float) -> float:
        return bottom - value / ticks[-1] * PLOT_HEIGHT

    parts: list[str] = []
    if show_title:
        parts.append(frame.heading(title))
    parts += frame.value_axis(ticks, measure, left, right, y_of)
    parts.append(frame.line(left, bottom, right, bottom, MUTED))
    for index, month in enumerate(months):
        x = x_of(index)
        label = format_month(month)
        lines = [label] if spacing >= 72 or " " not in label else label.split(" ", 1)
        parts.append(frame.line(x, bottom, x, bottom + 5, MUTED))
        parts.append(
            multiline_text(
                x, bottom + 20, lines, line_height=14, font_size=11, text_anchor="middle", fill=INK
            )
        )
    if not trends:
        parts.append(frame.no_data((left + right) / 2, (top + bottom) / 2))

    parts.append(text(legend_x, top + 2, "Categories", font_size=12, font_weight="bold", fill=INK))
    legend_y = top + 20
    for index, item in enumerate(trends):
        points = [(x_of(i), y_of(float(value))) for i, value in enumerate(item.values)]
        parts.append(_series(item, index, points))
        legend, legend_y = _legend_item(item, index, legend_x, legend_y)
        parts.append(legend)

    axis_title_y = bottom + 58
    per_month = "Complaints per month" if measure == "count" else "Cost per month (£)"
    parts.append(frame.rotated_label(18, (top + bottom) / 2, per_month, -90))
    parts.append(frame.axis_title((left + right) / 2, axis_title_y, "Month"))
    height = max(axis_title_y + 16, legend_y + 8)
    return frame.document(ident, title, description, height, parts)


def _bar(
    bar: Bar,
    label: str,
    centre: float,
    width: float,
    slot: float,
    bottom: float,
    measure: Measure,
    is_pareto: bool,
    y_of: Scale,
    pct_y: Scale,
) -> list[str]:
    """A bar with its figures as a tooltip, and its value printed on or above it."""
    bar_top = y_of(float(bar.value))
    detail = f"{label}: {format_value(bar.value, measure)}, {format_pct(bar.share_pct)}"
    if is_pareto:
        detail += f" (cumulative {format_pct(bar.cumulative_pct)})"
    marker_y = pct_y(float(bar.cumulative_pct)) if is_pareto else None
    line_y = pct_y(80) if is_pareto else None
    label_y, inside = _value_label_y(bar_top, bottom, marker_y, line_y)
    return [
        element(
            "rect",
            tooltip(detail),
            class_="bar",
            x=centre - width / 2,
            y=bar_top,
            width=float(width),
            height=bottom - bar_top,
            fill=BAR,
        ),
        text(
            centre,
            label_y,
            _bar_value(bar.value, measure, width if inside else slot),
            class_="bar-value",
            font_size=11,
            font_weight="bold" if inside else None,
            text_anchor="middle",
            fill="#ffffff" if inside else INK,
        ),
    ]


def _bar_value(value: Decimal, measure: Measure, room: float) -> str:
    """The value to print on a bar: in full if it fits ``room`` px, else abbreviated."""
    full = format_value(value, measure) if measure == "count" else format_compact(value, "cost")
    return full if text_width(full, 11) <= room - 4 else format_compact(value, measure)


def _value_label_y(
    bar_top: float, bottom: float, marker_y: float | None, line_y: float | None
) -> tuple[float, bool]:
    """Where a bar's value label goes (its baseline) and whether that is inside the bar.

    Inside the top of a tall bar, else just above it; moved when it would sit on the
    cumulative marker or the 80% line, so the figures stay legible.
    """

    def clear(baseline: float) -> bool:
        top, base = baseline - 10, baseline + 2
        hits_marker = marker_y is not None and top - 6 < marker_y < base + 6
        hits_line = line_y is not None and top - 2 < line_y < base + 2
        return not hits_marker and not hits_line

    options: list[tuple[float, bool]] = []
    if bottom - bar_top >= INSIDE_LABEL_MIN:
        options.append((bar_top + 16, True))
    options.append((bar_top - 6, False))
    if marker_y is not None and bar_top < marker_y + 8 and marker_y + 20 <= bottom - 4:
        options.append((marker_y + 20, True))
    return next((option for option in options if clear(option[0])), options[0])


def _category_labels(
    labels: Sequence[str], centres: Sequence[float], slot: float, left: float, bottom: float
) -> tuple[list[str], float]:
    """Labels under the bars, and how far below the axis they reach.

    Wrapped onto up to three lines when the bars are wide enough, otherwise rotated and
    shortened with an ellipsis (the bar's tooltip keeps the full name).
    """
    if slot >= ROTATE_BELOW:
        wrapped = [wrap(label, slot - 8, LABEL_SIZE, 3) for label in labels]
        parts = [
            multiline_text(
                centre,
                bottom + 18,
                lines,
                line_height=15,
                font_size=LABEL_SIZE,
                text_anchor="middle",
                fill=INK,
            )
            for lines, centre in zip(wrapped, centres, strict=True)
        ]
        return parts, max((len(lines) for lines in wrapped), default=1) * 15 + 12
    size = LABEL_SIZE - 1
    cos, sin = math.cos(math.radians(ROTATION)), math.sin(math.radians(ROTATION))
    # Rotated labels run down and left from their bar; the first ones must stay on the canvas.
    shown = [
        truncate(label, min(150.0, (centre - 6) / cos), size)
        for label, centre in zip(labels, centres, strict=True)
    ]
    parts = [
        text(
            centre,
            bottom + 14,
            label,
            font_size=size,
            text_anchor="end",
            fill=INK,
            transform=f"rotate(-{ROTATION} {num(centre)} {num(bottom + 14)})",
        )
        for label, centre in zip(shown, centres, strict=True)
    ]
    widest = max((text_width(label, size) for label in shown), default=0.0)
    return parts, widest * sin + 24


def _reference_line(left: float, right: float, y: float) -> list[str]:
    """The dashed 80% line across the plot, labelled at its right-hand end.

    The label sits on a white patch (not a ``paint-order`` halo, which WeasyPrint ignores).
    """
    label = "80% line"
    width = text_width(label, 11)
    return [
        element(
            "line",
            class_="reference-80",
            x1=float(left),
            y1=float(y),
            x2=float(right),
            y2=float(y),
            stroke=REFERENCE,
            stroke_width=1.5,
            stroke_dasharray="8 5",
        ),
        element(
            "rect", x=right - 9 - width, y=y - 19, width=width + 6, height=14.0, fill="#ffffff"
        ),
        text(right - 6, y - 8, label, font_size=11, text_anchor="end", fill=REFERENCE),
    ]


def _cumulative_line(
    bars: Sequence[Bar], labels: Sequence[str], centres: Sequence[float], pct_y: Scale
) -> str:
    """The cumulative-percentage line with a marker (and tooltip) at each bar."""
    points = [(x, pct_y(float(bar.cumulative_pct))) for bar, x in zip(bars, centres, strict=True)]
    shapes = [
        element(
            "circle",
            tooltip(f"{label}: cumulative {format_pct(bar.cumulative_pct)}"),
            cx=float(x),
            cy=float(y),
            r=4.5,
            fill="#ffffff",
            stroke=CUMULATIVE,
            stroke_width=2,
        )
        for bar, label, (x, y) in zip(bars, labels, points, strict=True)
    ]
    line = element(
        "polyline",
        points=" ".join(f"{num(x)},{num(y)}" for x, y in points),
        fill="none",
        stroke=CUMULATIVE,
        stroke_width=2.5,
        stroke_linejoin="round",
    )
    return element("g", line, *shapes, class_="cumulative")


def _pareto_legend(x: float, y: float, measure: Measure, is_pareto: bool) -> str:
    """The key above the plot: bars, and for a Pareto the cumulative and 80% lines."""
    name = measure_label(measure)
    items = [
        element("rect", x=float(x), y=y - 9, width=14, height=10, fill=BAR),
        text(x + 20, y, name, font_size=12, fill=INK),
    ]
    if is_pareto:
        x += 20 + text_width(name, 12) + 24
        items += [
            frame.line(x, y - 4, x + 30, y - 4, CUMULATIVE, width=2.5),
            element(
                "circle",
                cx=x + 15,
                cy=y - 4,
                r=4.5,
                fill="#ffffff",
                stroke=CUMULATIVE,
                stroke_width=2,
            ),
            text(x + 38, y, "Cumulative %", font_size=12, fill=INK),
        ]
        x += 38 + text_width("Cumulative %", 12) + 24
        items += [
            frame.line(x, y - 4, x + 30, y - 4, REFERENCE, width=1.5, dash="8 5"),
            text(x + 38, y, "80% reference", font_size=12, fill=INK),
        ]
    return element("g", *items, class_="legend")


def _series(item: CategoryTrend, index: int, points: list[tuple[float, float]]) -> str:
    """One category's line and point markers, in its own colour, dash pattern and marker."""
    style = series_style(index)
    line = element(
        "polyline",
        points=" ".join(f"{num(x)},{num(y)}" for x, y in points),
        fill="none",
        stroke=style.colour,
        stroke_width=2.5,
        stroke_dasharray=style.dash,
        stroke_linejoin="round",
    )
    shapes = [marker(style.marker, x, y, style.colour, hollow=style.hollow) for x, y in points]
    return element("g", tooltip(item.category), line, *shapes, class_="series")


def _legend_item(item: CategoryTrend, index: int, x: float, y: float) -> tuple[str, float]:
    """A legend entry (line sample, marker, wrapped name) and the y for the next one."""
    style = series_style(index)
    lines = wrap(item.category, LEGEND_WIDTH - 52, LABEL_SIZE, 2)
    mid = y + 4
    entry = element(
        "g",
        tooltip(item.category),
        frame.line(x, mid, x + 34, mid, style.colour, width=2.5, dash=style.dash),
        marker(style.marker, x + 17, mid, style.colour, hollow=style.hollow),
        multiline_text(x + 44, y + 8, lines, line_height=14, font_size=LABEL_SIZE, fill=INK),
        class_="legend-item",
    )
    return entry, y + 14 * len(lines) + 12
