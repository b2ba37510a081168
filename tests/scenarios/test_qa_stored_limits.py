"""Upload limits must not stop stored versions loading: every page re-reads a case's version
through the schema, so a limit put in the schema made a version stored before it (a £150,000
remedy, a start_day of 5000) fail there, and the learner's dashboard with it."""

from portfolio.scenarios.schema import Scenario


def test_a_version_stored_beyond_the_upload_limits_still_loads(scenario):
    stored = scenario.load().model_dump(mode="json")
    stored["clock"]["start_day"] = 5000
    stored["regime"]["deadlines"][1]["day"] = 5056
    stored["clock"]["costs"]["customer_reply"] = 10_000
    stored["remedies"][1]["amount"] = "150000.00"
    stored["authority_limit"] = "200000"

    again = Scenario.model_validate(stored, strict=False)
    assert again.clock.start_day == 5000 and again.remedies[1].amount == 150_000


def test_the_upload_refuses_the_same_values(scenario):
    scenario.edit("scenario.yaml", "start_day: 10", "start_day: 5000")
    scenario.edit("scenario.yaml", "amount: 42.50", "amount: 150000")
    fields = {e.field for e in scenario.errors()}
    assert {"clock.start_day", "remedies[1].amount"} <= fields
