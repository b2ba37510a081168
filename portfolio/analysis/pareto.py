"""The Pareto summary: totals per category (largest first) or per month, with shares.

A Pareto sorts categories from largest to smallest and adds each one's cumulative share of the
total, so the "vital few" that make up about 80% stand out. Weighting by cost rather than by
count can change the order: a rarer but costlier category may matter more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .grouping import Totals, by_category, by_month, month_axis
from .log import LogRow
from .params import AnalysisParams, filter_rows
from .rounding import cumulative_pct, quantize_money, shares_pct, to_fraction

VITAL_FEW_PCT = 80


@dataclass(frozen=True, slots=True)
class Bar:
    """One category (or month) in a summary.

    ``value`` is the figure for the chosen measure (complaints or GBP); ``share_pct`` and
    ``cumulative_pct`` are percentages of the summary's total to 0.01. ``count``, ``cost`` and
    ``avg_cost`` (cost per complaint, ``None`` when there are no complaints) are given whatever
    the measure.
    """

    label: str
    value: Decimal
    share_pct: Decimal
    cumulative_pct: Decimal
    count: int
    cost: Decimal
    avg_cost: Decimal | None

    def to_dict(self) -> dict[str, object]:
        """The bar as JSON-ready values; decimals become strings."""
        return {
            "label": self.label,
            "value": str(self.value),
            "share_pct": str(self.share_pct),
            "cumulative_pct": str(self.cumulative_pct),
            "count": self.count,
            "cost": str(self.cost),
            "avg_cost": None if self.avg_cost is None else str(self.avg_cost),
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals of a complaint log grouped as ``params`` asks.

    ``bars`` run largest first for a category grouping (ties by label) and oldest first for a
    month grouping. ``total`` is the sum of the bars' values. ``vital_few`` is the smallest run
    of leading categories whose cumulative share reaches 80% (empty for a month grouping or an
    empty log), and ``vital_few_pct`` their exact cumulative share rounded to 0.01.
    """

    params: AnalysisParams
    bars: tuple[Bar, ...]
    total: Decimal
    total_count: int
    total_cost: Decimal
    months: tuple[str, ...]
    vital_few: tuple[str, ...]
    vital_few_pct: Decimal | None

    @property
    def is_empty(self) -> bool:
        """True when nothing is left to chart: no rows pass the filters, or they total zero."""
        return self.total == 0

    @property
    def avg_cost(self) -> Decimal | None:
        """The average cost per complaint over the whole summary."""
        return _avg_cost(Totals(self.total_count, self.total_cost))

    def bar(self, label: str) -> Bar:
        """The bar for ``label``; raises ``KeyError`` if there is none."""
        for bar in self.bars:
            if bar.label == label:
                return bar
        raise KeyError(label)

    def to_dict(self) -> dict[str, object]:
        """The summary as JSON-ready values, for storing the computed figures."""
        return {
            "params": self.params.to_dict(),
            "bars": [bar.to_dict() for bar in self.bars],
            "total": str(self.total),
            "total_count": self.total_count,
            "total_cost": str(self.total_cost),
            "months": list(self.months),
            "vital_few": list(self.vital_few),
            "vital_few_pct": None if self.vital_few_pct is None else str(self.vital_few_pct),
        }


def summarise(
    rows: Iterable[LogRow], params: AnalysisParams, *, months: Sequence[str] | None = None
) -> Summary:
    """Group the rows that pass ``params``' filters and rank them for a Pareto.

    ``months`` is the log's month list (the manifest's ``complaint_log.months``); by default it
    is every month found in ``rows`` before filtering. A month grouping shows every one of those
    months, with zero where the filters leave nothing. Raises ``AnalysisError`` if a row's month
    is not in ``months``.
    """
    all_rows = list(rows)
    axis = month_axis(all_rows, months)
    kept = filter_rows(all_rows, params)
    if params.group_by == "category":
        totals = by_category(kept)
        order = sorted(totals, key=lambda label: (-totals[label].value(params.measure), label))
    else:
        found = by_month(kept)
        totals = {month: found.get(month, Totals()) for month in axis}
        order = list(axis)
    values = [totals[label].value(params.measure) for label in order]
    shares = shares_pct(values)
    cumulative = cumulative_pct(values)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            share_pct=share,
            cumulative_pct=cum,
            count=totals[label].count,
            cost=totals[label].cost,
            avg_cost=_avg_cost(totals[label]),
        )
        for label, value, share, cum in zip(order, values, shares, cumulative, strict=True)
    )
    overall = sum((totals[label] for label in order), Totals())
    vital_few = _vital_few(bars) if params.group_by == "category" else ()
    return Summary(
        params=params,
        bars=bars,
        total=sum(values, Decimal(0)),
        total_count=overall.count,
        total_cost=overall.cost,
        months=axis,
        vital_few=vital_few,
        vital_few_pct=bars[len(vital_few) - 1].cumulative_pct if vital_few else None,
    )


def _vital_few(bars: Sequence[Bar]) -> tuple[str, ...]:
    """The leading labels whose exact cumulative value first reaches 80% of the total."""
    total = sum((to_fraction(bar.value) for bar in bars), Fraction(0))
    if total == 0:
        return ()
    running = Fraction(0)
    for index, bar in enumerate(bars):
        running += to_fraction(bar.value)
        if running * 100 >= total * VITAL_FEW_PCT:
            return tuple(b.label for b in bars[: index + 1])
    return tuple(bar.label for bar in bars)  # pragma: no cover - the last bar reaches 100%


def _avg_cost(totals: Totals) -> Decimal | None:
    return quantize_money(totals.cost / totals.count) if totals.count else None
