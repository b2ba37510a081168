"""A learner with a worked case on the minimal scenario, for evidence tests."""

from datetime import date

import pytest

from portfolio.casework import services as casework
from portfolio.extensions import db
from portfolio.library.services import load_bundled
from tests.library.conftest import bundle  # noqa: F401  (fixture)


@pytest.fixture
def worked(app, world, bundle):  # noqa: F811
    """world.learner's case with a document read, a finding and a root cause saved."""
    load_bundled(bundle)
    from portfolio.library.models import LibraryScenario

    scenario = db.session.scalar(db.select(LibraryScenario))
    case = casework.start_case(world.learner, scenario)
    casework.request_document(case, "crm-history")
    casework.pin_finding(case, text="The bill was wrong", document_id="crm-history")
    casework.add_timeline_entry(case, occurred_on=date(2026, 3, 1), description="First call")
    casework.save_record(
        case,
        "root_cause",
        {"method": "five_whys", "symptom": "Wrong bill", "root_cause": "Expired code"},
        expected_version=None,
    )
    db.session.commit()
    world.case = case
    return world
