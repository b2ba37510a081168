"""Exact percentages rounded for display: shares that add to 100 and cumulatives that end at 100.

Arithmetic is done on ``Fraction`` so nothing is lost before the one rounding to 0.01, which is
half-up (as done by hand), not the banker's rounding ``Decimal`` uses by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100.00")


def to_fraction(value: Decimal | int) -> Fraction:
    """An exact ``Fraction`` for a ``Decimal`` or ``int``."""
    return Fraction(value)


def round_half_up(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """``value`` rounded half-up to ``places`` decimal places, exactly."""
    exact = Fraction(value)
    scale = 10**places
    scaled = exact * scale
    whole = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
    signed = whole if scaled >= 0 else -whole
    return Decimal(signed).scaleb(-places)


def quantize_money(value: Decimal) -> Decimal:
    """A money amount to the penny, half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shares_pct(values: Sequence[Decimal | int]) -> list[Decimal]:
    """Each value's share of the total as a percentage to 0.01, summing to exactly 100.00.

    Largest-remainder rounding: every share is its exact value rounded down or up to 0.01, and
    the hundredths left over go to the largest remainders (earlier items first on ties, so shares
    of values sorted descending are never out of order). A zero total gives all zeros.
    """
    total = sum((to_fraction(value) for value in values), Fraction(0))
    if total == 0:
        return [ZERO for _ in values]
    exact = [to_fraction(value) * 10_000 / total for value in values]
    floors = [int(part) for part in exact]
    spare = 10_000 - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_remainder[:spare]:
        floors[index] += 1
    return [Decimal(units).scaleb(-2) for units in floors]


def cumulative_pct(values: Sequence[Decimal | int]) -> list[Decimal]:
    """Running totals as percentages of the total, each rounded half-up from the exact figure.

    The last is exactly 100.00 because its exact value is 100; a zero total gives all zeros.
    """
    total = sum((to_fraction(value) for value in values), Fraction(0))
    if total == 0:
        return [ZERO for _ in values]
    running = Fraction(0)
    result: list[Decimal] = []
    for value in values:
        running += to_fraction(value)
        result.append(round_half_up(running * 100 / total))
    return result
