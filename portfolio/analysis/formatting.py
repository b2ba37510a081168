"""Figures as text for tables, chart labels and descriptions (UK style: £1,234.56, 45.83%)."""

from __future__ import annotations

import re
from decimal import Decimal

from .params import Measure
from .rounding import quantize_money, round_half_up

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def format_month(month: str) -> str:
    """``"2026-03"`` as ``"Mar 2026"``; any other text unchanged."""
    match = _MONTH.match(month)
    if not match:
        return month
    return f"{MONTH_NAMES[int(match.group(2)) - 1]} {match.group(1)}"


def format_money(value: Decimal) -> str:
    """An amount in pounds to the penny: ``£1,234.50``, ``-£3.00``."""
    amount = quantize_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def format_value(value: Decimal | int, measure: Measure) -> str:
    """A figure in the measure's units: ``1,234`` complaints or ``£1,234.50``."""
    if measure == "cost":
        return format_money(Decimal(value))
    return f"{round_half_up(Decimal(value), 0):,}"


def format_change(value: Decimal, measure: Measure) -> str:
    """A change with its sign: ``+12``, ``-3``, ``+£1,200.00``."""
    sign = "+" if value >= 0 else "-"
    return sign + format_value(abs(value), measure)


def format_rate(value: Decimal, measure: Measure) -> str:
    """A signed rate such as a slope, to 0.01: ``+9.74`` complaints or ``+£120.50``."""
    if measure == "cost":
        return format_change(value, measure)
    return f"{round_half_up(value):+,.2f}"


def format_pct(value: Decimal | None, *, signed: bool = False) -> str:
    """A percentage to 0.01 (``45.83%``, or ``+25.00%`` when ``signed``); ``n/a`` for ``None``."""
    if value is None:
        return "n/a"
    return f"{value:+.2f}%" if signed else f"{value:.2f}%"


def format_compact(value: Decimal | float, measure: Measure) -> str:
    """A short chart label, to the nearest unit: ``302``, ``12.3k``, ``£325``, ``£72.5k``."""
    amount = float(value)
    prefix = "£" if measure == "cost" else ""
    for limit, suffix in ((1_000_000, "m"), (1_000, "k")):
        if abs(amount) >= limit:
            short = f"{amount / limit:.1f}".removesuffix(".0")
            return f"{prefix}{short}{suffix}"
    return f"{prefix}{amount:,.0f}"


def measure_label(measure: Measure) -> str:
    """What the measure counts, for axis titles and table headings."""
    return "Complaints" if measure == "count" else "Cost (£)"


def measure_noun(measure: Measure) -> str:
    """The measure in running text: ``complaints`` or ``cost``."""
    return "complaints" if measure == "count" else "cost"
