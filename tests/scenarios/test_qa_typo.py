"""One misspelt field name gave two problems: 'authority_limt: unknown field (did you mean
"authority_limit"?)' and, with no line, 'authority_limit: required field missing'. The
second is the first said again; the upload now says it once, at the misspelt line."""

import pytest


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("authority_limit: 50", "authority_limt: 50", "authority_limt"),
        ("start_day: 10", "start_days: 10", "clock.start_days"),
    ],
)
def test_a_misspelt_field_is_one_problem_at_its_line(scenario, old, new, field):
    scenario.edit("scenario.yaml", old, new)
    errors = scenario.errors()
    assert [(e.field, e.line) for e in errors] == [(field, scenario.line("scenario.yaml", new))]
    assert "did you mean" in errors[0].message


def test_a_field_simply_left_out_is_still_missing(scenario):
    scenario.edit("scenario.yaml", "authority_limit: 50\n", "")
    (error,) = scenario.errors()
    assert (error.field, error.message) == ("authority_limit", "required field missing")
