"""A minimal SVG writer: escaped elements, text measurement and wrapping, axis ticks, styles.

Charts use presentation attributes only (``fill=``, ``stroke=``), never ``style=`` or a
``<style>`` element, so they pass a strict Content Security Policy, and name the DejaVu Sans font
so WeasyPrint draws the same glyphs as the browser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "DejaVu Sans, sans-serif"

# Colours: every one has at least 4.5:1 contrast on white (checked in the tests).
INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d9d9d9"
BAR = "#2c5d8a"
CUMULATIVE = "#a63f00"
REFERENCE = "#8b1e3f"


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """How one trend line looks: a colour, a dash pattern and a marker shape."""

    colour: str
    dash: str | None
    marker: str
    hollow: bool = False


# Distinct in colour, in dash pattern and in marker, so no series relies on colour alone.
SERIES_STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle("#1f4e79", None, "circle"),
    SeriesStyle("#b03a00", "9 4", "square"),
    SeriesStyle("#1b6e3a", "3 3", "triangle"),
    SeriesStyle("#6a3d9a", "12 4 3 4", "diamond"),
    SeriesStyle("#8c5a00", "6 3 2 3 2 3", "triangle-down"),
    SeriesStyle("#b2182b", "2 5", "circle", hollow=True),
    SeriesStyle("#006d77", "14 5", "square", hollow=True),
    SeriesStyle("#4d4d4d", "6 2", "triangle", hollow=True),
)

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def series_style(index: int) -> SeriesStyle:
    """The style for the ``index``-th series; past eight, colours repeat with other dashes."""
    base = SERIES_STYLES[index % len(SERIES_STYLES)]
    if index < len(SERIES_STYLES):
        return base
    other = SERIES_STYLES[(index + index // len(SERIES_STYLES)) % len(SERIES_STYLES)]
    return SeriesStyle(base.colour, other.dash, other.marker, not base.hollow)


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (control characters, surrogates)."""
    return _INVALID_XML.sub("", text)


def check_id(value: str) -> str:
    """``value`` if it is a safe XML id, else ``ValueError``."""
    if not _ID.match(value):
        raise ValueError(f"Chart id {value!r} must start with a letter and use [A-Za-z0-9_.-].")
    return value


def num(value: float) -> str:
    """A coordinate to one decimal place, without trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def attributes(attrs: dict[str, object]) -> str:
    """Attribute text with values quoted and escaped; ``None`` values are left out.

    Names are written with ``_`` as ``-`` and a trailing ``_`` dropped (``class_``).
    """
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        shown = num(value) if isinstance(value, float) else str(value)
        parts.append(f" {key}={quoteattr(clean(shown))}")
    return "".join(parts)


def element(tag: str, *children: str, **attrs: object) -> str:
    """An element holding already-built ``children``; self-closing when there are none."""
    if not children:
        return f"<{tag}{attributes(attrs)}/>"
    return f"<{tag}{attributes(attrs)}>{''.join(children)}</{tag}>"


def text_node(content: str) -> str:
    """Escaped character data."""
    return escape(clean(content))


def text(x: float, y: float, content: str, **attrs: object) -> str:
    """A ``<text>`` element at (x, y) holding escaped ``content``."""
    return element("text", text_node(content), x=float(x), y=float(y), **attrs)


def multiline_text(
    x: float, y: float, lines: list[str], *, line_height: float, **attrs: object
) -> str:
    """A ``<text>`` with one ``<tspan>`` per line, the first at ``y``."""
    spans = [
        element("tspan", text_node(line), x=float(x), dy=None if i == 0 else float(line_height))
        for i, line in enumerate(lines)
    ]
    return element("text", *spans, x=float(x), y=float(y), **attrs)


def tooltip(content: str) -> str:
    """A ``<title>`` child: the full text browsers show on hover."""
    return element("title", text_node(content))


_NARROW = set("fijlrt.,:;'|!()[] ")
_WIDE = set("mwMW@%")


def text_width(content: str, size: float) -> float:
    """An estimate of ``content``'s width in DejaVu Sans at ``size`` px (on the generous side)."""
    units = 0.0
    for char in content:
        if char in _WIDE:
            units += 0.9
        elif char in _NARROW:
            units += 0.36
        elif char.isupper() or char.isdigit() or char in "£&#":
            units += 0.7
        else:
            units += 0.62
    return units * size


def truncate(content: str, width: float, size: float) -> str:
    """``content`` shortened with an ellipsis to fit ``width`` px."""
    if text_width(content, size) <= width:
        return content
    while content and text_width(content + "…", size) > width:
        content = content[:-1]
    return content.rstrip() + "…"


def wrap(content: str, width: float, size: float, max_lines: int) -> list[str]:
    """Greedy word-wrap into at most ``max_lines`` lines of ``width`` px; the last is truncated."""
    lines: list[str] = []
    current = ""
    for word in content.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
    return [truncate(line, width, size) for line in lines] or [""]


def nice_ticks(maximum: float, *, whole: bool, target: int = 5) -> list[float]:
    """Evenly spaced ticks from 0 to at least ``maximum`` with a round step (1, 2, 2.5 or 5 ×
    a power of ten); whole-number steps only when ``whole``."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * factor for factor in (1, 2, 2.5, 5, 10) if power * factor >= raw)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    count = math.ceil(maximum / step - 1e-9)
    return [step * i for i in range(count + 1)]


def fixed_ticks(maximum: float, *, whole: bool, intervals: int = 5) -> list[float]:
    """Exactly ``intervals`` + 1 ticks from 0 with a roundish step (1, 1.5, 2, 2.5, 3, 4, 5, 6
    or 8 × a power of ten) reaching at least ``maximum``, so a 0–100% axis on the other side
    (every 20%) shares the gridlines."""
    if maximum <= 0:
        return [float(i) for i in range(intervals + 1)]
    raw = maximum / intervals
    power = 10 ** math.floor(math.log10(raw))
    factors = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
    step = next(power * factor for factor in factors if power * factor >= raw - 1e-12)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    return [step * i for i in range(intervals + 1)]


def marker(shape: str, x: float, y: float, colour: str, *, hollow: bool, size: float = 4.5) -> str:
    """A point marker centred on (x, y)."""
    fill = "#ffffff" if hollow else colour
    common: dict[str, object] = {"fill": fill, "stroke": colour, "stroke_width": 1.5}
    if shape == "circle":
        return element("circle", cx=float(x), cy=float(y), r=float(size), **common)
    if shape == "square":
        side = size * 1.7
        return element(
            "rect", x=x - side / 2, y=y - side / 2, width=float(side), height=float(side), **common
        )
    offsets = {
        "triangle": [(0, -1.25), (1.15, 0.85), (-1.15, 0.85)],
        "triangle-down": [(0, 1.25), (1.15, -0.85), (-1.15, -0.85)],
        "diamond": [(0, -1.3), (1.1, 0), (0, 1.3), (-1.1, 0)],
    }[shape]
    points = " ".join(f"{num(x + dx * size)},{num(y + dy * size)}" for dx, dy in offsets)
    return element("polygon", points=points, **common)
