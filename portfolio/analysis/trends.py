"""Trends per category: the monthly series, its changes, its slope, and any step change.

Step-change rule
----------------
A *step change* is a jump into a month after which the series stays at its new level, as
opposed to a one-month spike or steady growth. It is looked for only in months with at least
two months before and two after (M3, M4 and M5 of a six-month log), so a series needs at least
five months. For each month the month-on-month change is taken in percent of the month before.

1. The candidate is the month whose percentage change is largest in size (the earliest on a
   tie). A rise from zero counts as the largest possible change.
2. It must be at least 10% and at least 1.5 times the average size of the series' other
   month-on-month percentage changes: it clearly exceeds the usual movement.
3. The series must stay on the new side: for a rise, every month from the step on is above
   every month before it (below them all, for a fall).
4. The average level from the step on must differ from the average level before it by at
   least 20% of the level before.

When all four hold, the step is reported as the month it lands in, the jump into it (in the
measure's units and in percent) and the average levels before and after. Worked example, the
bank's Fees/charges complaints 45, 48, 60, 74, 82, 90: the candidates change by +25.0% (M3),
+23.3% (M4) and +10.8% (M5); M3's 25.0% is 1.98 times the 12.6% average of the other changes;
every month from M3 (60 upwards) is above 48; and the level rises from 46.5 to 76.5 (+65%). So
the step is at M3: +12 complaints, +25.00%. The largest change in complaints (+14, into M4) is
not chosen because percentages compare the jump with the level it starts from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from .grouping import Totals, by_category_and_month, month_axis
from .log import LogRow
from .params import AnalysisParams, Measure, filter_rows
from .rounding import round_half_up, to_fraction

STEP_MIN_CHANGE_PCT = 10
STEP_RATIO = Fraction(3, 2)
STEP_MIN_SHIFT_PCT = 20


@dataclass(frozen=True, slots=True)
class StepChange:
    """A step change found by the rule in this module's docstring.

    ``month`` is the first month at the new level and ``previous_month`` the one before it;
    ``size`` is the jump between them in the measure's units and ``change_pct`` the same jump in
    percent of the earlier month (``None`` for a rise from zero). ``level_before`` and
    ``level_after`` are the average monthly values either side, to 0.01.
    """

    month: str
    previous_month: str
    direction: Literal["up", "down"]
    size: Decimal
    change_pct: Decimal | None
    level_before: Decimal
    level_after: Decimal

    def to_dict(self) -> dict[str, object]:
        """The step as JSON-ready values; decimals become strings."""
        return {
            "month": self.month,
            "previous_month": self.previous_month,
            "direction": self.direction,
            "size": str(self.size),
            "change_pct": _str_or_none(self.change_pct),
            "level_before": str(self.level_before),
            "level_after": str(self.level_after),
        }


@dataclass(frozen=True, slots=True)
class CategoryTrend:
    """One category's monthly figures for ``measure`` and what they show.

    ``values`` has one figure per month in ``months``. ``changes`` and ``change_pcts`` have one
    entry per month after the first (the percentage is ``None`` after a zero month). ``slope`` is
    the least-squares change per month and ``first_to_last_pct`` the change from the first
    month to the last in percent (``None`` if the first month is zero), both to 0.01.
    """

    category: str
    measure: Measure
    months: tuple[str, ...]
    values: tuple[Decimal, ...]
    changes: tuple[Decimal, ...]
    change_pcts: tuple[Decimal | None, ...]
    slope: Decimal
    first_to_last_pct: Decimal | None
    total: Decimal
    step: StepChange | None

    def to_dict(self) -> dict[str, object]:
        """The trend as JSON-ready values; decimals become strings."""
        return {
            "category": self.category,
            "measure": self.measure,
            "months": list(self.months),
            "values": [str(value) for value in self.values],
            "changes": [str(change) for change in self.changes],
            "change_pcts": [_str_or_none(pct) for pct in self.change_pcts],
            "slope": str(self.slope),
            "first_to_last_pct": _str_or_none(self.first_to_last_pct),
            "total": str(self.total),
            "step": None if self.step is None else self.step.to_dict(),
        }


def trend(
    rows: Iterable[LogRow], params: AnalysisParams, *, months: Sequence[str] | None = None
) -> list[CategoryTrend]:
    """Monthly series per category for the rows that pass ``params``' filters.

    The measure and filters of ``params`` apply; its grouping does not (trends are always per
    category by month). Categories come largest total first, ties by name. ``months`` is the
    log's month list; by default every month found in ``rows`` before filtering, so a month the
    filters empty shows as zero. Raises ``AnalysisError`` if a row's month is not in ``months``.
    """
    all_rows = list(rows)
    axis = month_axis(all_rows, months)
    kept = filter_rows(all_rows, params)
    cells = by_category_and_month(kept)
    categories = {category for category, _ in cells}
    series = {
        category: tuple(
            cells.get((category, month), Totals()).value(params.measure) for month in axis
        )
        for category in categories
    }
    order = sorted(series, key=lambda category: (-sum(series[category]), category))
    return [_category_trend(category, params.measure, axis, series[category]) for category in order]


def _category_trend(
    category: str, measure: Measure, months: tuple[str, ...], values: tuple[Decimal, ...]
) -> CategoryTrend:
    changes = tuple(later - earlier for earlier, later in zip(values, values[1:], strict=False))
    change_pcts = tuple(
        _pct_change(earlier, later) for earlier, later in zip(values, values[1:], strict=False)
    )
    first_to_last = _pct_change(values[0], values[-1]) if values else None
    return CategoryTrend(
        category=category,
        measure=measure,
        months=months,
        values=values,
        changes=changes,
        change_pcts=change_pcts,
        slope=slope(values),
        first_to_last_pct=first_to_last,
        total=sum(values, Decimal(0)),
        step=detect_step(months, values),
    )


def slope(values: Sequence[Decimal]) -> Decimal:
    """The least-squares slope of ``values`` against month number (change per month), to 0.01.

    Zero for fewer than two values.
    """
    n = len(values)
    if n < 2:
        return round_half_up(0)
    mean_x = Fraction(n - 1, 2)
    exact = [to_fraction(value) for value in values]
    mean_y = sum(exact, Fraction(0)) / n
    covariance = sum(((x - mean_x) * (y - mean_y) for x, y in enumerate(exact)), Fraction(0))
    variance = sum(((x - mean_x) ** 2 for x in range(n)), Fraction(0))
    return round_half_up(covariance / variance)


def detect_step(months: Sequence[str], values: Sequence[Decimal]) -> StepChange | None:
    """The step change in ``values`` (one per month in ``months``), or ``None``.

    Applies the rule set out in this module's docstring.
    """
    n = len(values)
    if n < 5 or len(months) != n:
        return None
    exact = [to_fraction(value) for value in values]
    sizes = [_relative_size(exact[k - 1], exact[k]) for k in range(1, n)]
    # sizes[k - 1] is the size of the change into month k; candidates have two months each side.
    candidates = range(2, n - 1)
    k = max(candidates, key=lambda i: (_rank(sizes[i - 1]), -i))
    size = sizes[k - 1]
    others = [s for i, s in enumerate(sizes, start=1) if i != k]
    if not _clearly_exceeds(size, others):
        return None
    before, after = exact[:k], exact[k:]
    rising = exact[k] > exact[k - 1]
    stays = min(after) > max(before) if rising else max(after) < min(before)
    level_before = sum(before, Fraction(0)) / len(before)
    level_after = sum(after, Fraction(0)) / len(after)
    shift = abs(level_after - level_before)
    if not stays or shift * 100 < level_before * STEP_MIN_SHIFT_PCT:
        return None
    return StepChange(
        month=months[k],
        previous_month=months[k - 1],
        direction="up" if rising else "down",
        size=values[k] - values[k - 1],
        change_pct=_pct_change(values[k - 1], values[k]),
        level_before=round_half_up(level_before),
        level_after=round_half_up(level_after),
    )


def _relative_size(earlier: Fraction, later: Fraction) -> Fraction | None:
    """The size of a change in percent of the earlier value; ``None`` for a rise from zero."""
    if earlier == 0:
        return Fraction(0) if later == 0 else None
    return abs(later - earlier) * 100 / earlier


def _rank(size: Fraction | None) -> tuple[int, Fraction]:
    """Sort key putting a rise from zero above every finite change."""
    return (1, Fraction(0)) if size is None else (0, size)


def _clearly_exceeds(size: Fraction | None, others: Sequence[Fraction | None]) -> bool:
    """Rule 2: at least 10% and 1.5 times the other changes' average size."""
    if size is None:
        return all(other is not None for other in others)
    if size < STEP_MIN_CHANGE_PCT or any(other is None for other in others):
        return False
    finite = [other for other in others if other is not None]
    average = sum(finite, Fraction(0)) / len(finite) if finite else Fraction(0)
    return size >= STEP_RATIO * average


def _pct_change(earlier: Decimal, later: Decimal) -> Decimal | None:
    if earlier == 0:
        return None
    return round_half_up((to_fraction(later) - to_fraction(earlier)) * 100 / to_fraction(earlier))


def _str_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
