"""A resolution item says how the responses settled a deadline a remedy meets."""

from flask import render_template_string

from portfolio.casework import services
from portfolio.evidence.content import case_item_content
from portfolio.extensions import db
from tests.casework.conftest import bundled_specs, import_specs  # noqa: F401  (fixture)
from tests.casework.test_services import GOOD_LETTER

HOLD = "Increased Direct Debit of £291.56 due to be collected on 4 September"


def _rendered(case) -> str:
    content = case_item_content(case, "resolution")
    return render_template_string(
        '{% from "evidence/_content.html" import render %}{{ render("resolution", c) }}',
        c=content,
    )


def test_the_direct_debit_hold_is_reported_beside_the_letter(app, bundled_specs, world):  # noqa: F811
    """The item named only the final deadline ('sent day 50, by the day 56 deadline'), so an
    assessor or EQA reading it could not tell whether the Direct Debit was stopped in time."""
    criteria, specs = bundled_specs
    [scenario] = import_specs(criteria, [specs["energy-back-bill"]])
    case = services.start_case(world.learner, scenario)
    services.save_record(case, "remedy", {"remedy_ids": ["meter-repair"]}, expected_version=None)
    services.save_record(case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    with app.test_request_context():
        assert "Deadlines a remedy meets" not in _rendered(case)  # nothing sent yet
        services.send_response(case)
        db.session.commit()
        [hold] = case_item_content(case, "resolution")["remedy_deadlines"]
        assert hold["outcome"] == "not offered yet" and hold["met"] is None
        services.save_record(
            case,
            "remedy",
            {"remedy_ids": ["collections-hold", "meter-repair"]},
            expected_version=1,
        )
        services.save_record(case, "letter", {"text": GOOD_LETTER + " Sorry."}, expected_version=1)
        services.send_response(case)
        db.session.commit()
        html = _rendered(case)
    assert "<h4>Deadlines a remedy meets</h4>" in html
    offered = "day 53 (offered in the response sent day 52, on time)"
    assert f"{HOLD} unless a dispute hold is placed: {offered}" in html
