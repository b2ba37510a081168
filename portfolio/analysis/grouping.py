"""Totals of the log by category, by month, or by both, in complaints and in cost."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from .errors import AnalysisError
from .log import LogRow
from .params import Measure

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Totals:
    """How many complaints a group holds and what they cost."""

    count: int = 0
    cost: Decimal = Decimal("0")

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.count + other.count, self.cost + other.cost)

    def value(self, measure: Measure) -> Decimal:
        """The group's figure for ``measure``: its complaint count or its total cost."""
        return Decimal(self.count) if measure == "count" else self.cost


def row_totals(row: LogRow) -> Totals:
    """A single row's complaints and cost."""
    return Totals(row.count, row.cost)


def total_by(rows: Iterable[LogRow], key: Callable[[LogRow], K]) -> dict[K, Totals]:
    """Sum rows' counts and costs per ``key(row)``, in order of first appearance."""
    totals: dict[K, Totals] = {}
    for row in rows:
        group = key(row)
        totals[group] = totals.get(group, Totals()) + row_totals(row)
    return totals


def by_category(rows: Iterable[LogRow]) -> dict[str, Totals]:
    """Complaints and cost per category."""
    return total_by(rows, lambda row: row.category)


def by_month(rows: Iterable[LogRow]) -> dict[str, Totals]:
    """Complaints and cost per month."""
    return total_by(rows, lambda row: row.month)


def by_category_and_month(rows: Iterable[LogRow]) -> dict[tuple[str, str], Totals]:
    """Complaints and cost per (category, month) pair."""
    return total_by(rows, lambda row: (row.category, row.month))


def months_of(rows: Iterable[LogRow]) -> tuple[str, ...]:
    """The distinct months in ``rows``, oldest first (``YYYY-MM`` sorts chronologically)."""
    return tuple(sorted({row.month for row in rows}))


def month_axis(rows: Sequence[LogRow], months: Sequence[str] | None) -> tuple[str, ...]:
    """The months to report on: ``months`` if given (checked against the rows), else the rows'.

    Raises ``AnalysisError`` if a row falls in a month that ``months`` does not list.
    """
    if months is None:
        return months_of(rows)
    axis = tuple(months)
    stray = sorted({row.month for row in rows} - set(axis))
    if stray:
        listed = ", ".join(axis) or "none"
        raise AnalysisError(
            f'The log has rows for month "{stray[0]}", which is not one of its months ({listed}).',
            field="months",
        )
    return axis
