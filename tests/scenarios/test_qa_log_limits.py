"""Complaint-log numbers too large to be real: a count or cost with a few digits too many (a
paste slip) loaded, and the learner's complaint analysis page then failed with a server error
rounding the totals to pence. They are refused at their line and column."""

from decimal import Decimal

import pytest

LOG = "complaint_log.csv"
ROW = "2026-03,Price not as agreed,28,1960.00,retention-call"


@pytest.mark.parametrize(
    ("row", "field", "said"),
    [
        (f"2026-03,Price not as agreed,{10**32},1960.00,retention-call", "count", "1,000,000"),
        (f"2026-03,Price not as agreed,28,{10**35}.99,retention-call", "cost", "10,000,000"),
        ("2026-03,Price not as agreed,1000001,1960.00,retention-call", "count", "1,000,000"),
    ],
)
def test_a_count_or_cost_too_large_to_be_real_is_refused_at_its_cell(scenario, row, field, said):
    scenario.edit(LOG, ROW, row)
    errors = scenario.errors()
    assert [(e.field, e.line) for e in errors] == [(field, 2)]
    assert f"more than {said}" in errors[0].message


def test_the_largest_count_and_cost_load(scenario):
    scenario.edit(LOG, ROW, "2026-03,Price not as agreed,1000000,10000000.00,retention-call")
    first = scenario.load().log_rows[0]
    assert (first.count, first.cost) == (1_000_000, Decimal("10000000.00"))


def test_a_count_of_thousands_of_digits_is_refused_not_a_crash(scenario):
    """Python's int() refuses text over 4,300 digits with a ValueError."""
    scenario.edit(LOG, ROW, f"2026-03,Price not as agreed,{'9' * 5000},1960.00,retention-call")
    errors = scenario.errors()
    assert [(e.field, e.line) for e in errors] == [("count", 2)]
    assert len(errors[0].message) < 100
