"""Clock numbers too large to be a complaint's timescale: start_day 100000000000 with its
deadline a day later loaded, and the learner's case page then failed with a server error
(day 0's date plus that many days is past the calendar's end; the hours overflow an integer
column on PostgreSQL). Days are at most ten years, action costs at most a year of hours."""

import pytest


@pytest.mark.parametrize(
    ("old", "new", "field", "said"),
    [
        ("start_day: 10", "start_day: 100000000000", "clock.start_day", "3650 or less"),
        ("day: 56", "day: 3651", "regime.deadlines[1].day", "3650 or less"),
        ("customer_reply: 16", "customer_reply: 8761", "clock.costs.customer_reply", "8760"),
    ],
)
def test_a_day_or_cost_beyond_any_complaint_is_refused_at_its_field(
    scenario, old, new, field, said
):
    scenario.edit("scenario.yaml", old, new)
    (error,) = [e for e in scenario.errors() if e.field == field and said in e.message]
    assert error.line == scenario.line("scenario.yaml", new)


def test_ten_years_of_days_and_a_year_of_hours_load(scenario):
    scenario.edit("scenario.yaml", "start_day: 10", "start_day: 3649")
    scenario.edit("scenario.yaml", "day: 56", "day: 3650")
    scenario.edit("scenario.yaml", "day: 28", "day: 3000")
    scenario.edit("scenario.yaml", "customer_reply: 16", "customer_reply: 8760")
    loaded = scenario.load()
    assert loaded.clock.start_day == 3649 and loaded.clock.costs.customer_reply == 8760
