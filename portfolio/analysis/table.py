"""The table of figures shown beside each chart, as display strings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .formatting import (
    format_change,
    format_money,
    format_month,
    format_pct,
    format_rate,
    format_value,
    measure_noun,
)
from .pareto import Summary
from .rounding import HUNDRED, ZERO
from .trends import CategoryTrend


@dataclass(frozen=True, slots=True)
class FigureTable:
    """A caption, column headings, body rows and an optional total row, all as text.

    The first column labels each row (use ``<th scope="row">``); the rest are figures.
    """

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, object]:
        """The table as JSON-ready lists."""
        return {
            "caption": self.caption,
            "headers": list(self.headers),
            "rows": [list(row) for row in self.rows],
            "footer": None if self.footer is None else list(self.footer),
        }


def summary_table(summary: Summary) -> FigureTable:
    """The figures behind a Pareto (or month) chart: one row per bar, then the total.

    Columns: the category or month, complaints, cost, the share of the measure, the cumulative
    share, and the average cost per complaint.
    """
    params = summary.params
    noun = measure_noun(params.measure)
    by_month = params.group_by == "month"
    rows = tuple(
        (
            format_month(bar.label) if by_month else bar.label,
            format_value(bar.count, "count"),
            format_money(bar.cost),
            format_pct(bar.share_pct),
            format_pct(bar.cumulative_pct),
            "n/a" if bar.avg_cost is None else format_money(bar.avg_cost),
        )
        for bar in summary.bars
    )
    footer = (
        "Total",
        format_value(summary.total_count, "count"),
        format_money(summary.total_cost),
        format_pct(HUNDRED if summary.total else ZERO),
        "",
        "n/a" if summary.avg_cost is None else format_money(summary.avg_cost),
    )
    order = "in month order" if by_month else f"largest {noun} first"
    return FigureTable(
        caption=f"{'Month' if by_month else 'Category'} figures by {noun}, {order}",
        headers=(
            "Month" if by_month else "Category",
            "Complaints",
            "Cost",
            f"Share of {noun}",
            "Cumulative share",
            "Average cost per complaint",
        ),
        rows=rows,
        footer=footer,
    )


def trend_table(trends: Sequence[CategoryTrend]) -> FigureTable:
    """The figures behind a trend chart: each category's months, change, slope and any step."""
    months = trends[0].months if trends else ()
    measure = trends[0].measure if trends else "count"
    rows = tuple(
        (
            item.category,
            *(format_value(value, item.measure) for value in item.values),
            format_pct(item.first_to_last_pct, signed=True),
            f"{format_rate(item.slope, item.measure)} a month",
            _step_text(item),
        )
        for item in trends
    )
    return FigureTable(
        caption=f"Monthly {measure_noun(measure)} by category",
        headers=(
            "Category",
            *(format_month(month) for month in months),
            "First to last month",
            "Trend (least squares)",
            "Step change",
        ),
        rows=rows,
    )


def _step_text(item: CategoryTrend) -> str:
    step = item.step
    if step is None:
        return "None found"
    size = format_change(step.size, item.measure)
    pct = "" if step.change_pct is None else f", {format_pct(step.change_pct, signed=True)}"
    return f"{format_month(step.month)} ({size}{pct})"
