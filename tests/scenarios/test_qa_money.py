"""Money in a manifest beyond what any remedy may come to: 10**30 crashed the upload with a
server error (decimal.InvalidOperation from rounding it to pence), and a menu remedy above
£100,000 loaded but could never be chosen (the learner's remedy is refused above that)."""

import pytest


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("authority_limit: 50", f"authority_limit: {10**30}", "authority_limit"),
        ("amount: 42.50", "amount: 250000", "remedies[1].amount"),
        ("approve_up_to: 200", "approve_up_to: 1.0e+40", "authorisation.approve_up_to"),
    ],
)
def test_an_amount_above_the_remedy_ceiling_is_refused_at_its_field(scenario, old, new, field):
    scenario.edit("scenario.yaml", old, new)
    errors = scenario.errors()
    assert [e.field for e in errors] == [field]
    assert "at most 100000" in errors[0].message
    assert errors[0].line == scenario.line("scenario.yaml", new)


def test_an_amount_at_the_ceiling_loads(scenario):
    scenario.edit("scenario.yaml", "amount: 42.50", "amount: 100000")
    assert scenario.load().remedies[1].amount == 100000
