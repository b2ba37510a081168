"""Fixtures: a learner with an open case on a bundled scenario, and a way to add analyses and
recommendations to it."""

from collections.abc import Callable

import pytest

from portfolio.analysis import AnalysisParams
from portfolio.casework.models import Case
from portfolio.extensions import db
from portfolio.improvement import services
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.roles import Role
from tests.improvement.builders import open_case

GOOD_FIELDS = {
    "change": "Audit Swiftfit jobs weekly and enforce the new-hose standard on every install.",
    "owner": "Head of Installations",
    "benefit": "Fewer leaks, refunds and floor-damage claims.",
    "measure": "Installation complaints per 1,000 installs; cost per complaint.",
    "target": "Below 20 installation complaints a month",
    "by_when": "End of next quarter",
    "root_cause_link": "Removes the reused-hose practice behind the leak.",
    "other_customers": "Contact every Swiftfit customer since April and inspect their hoses.",
}


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER)


@pytest.fixture
def case(app, learner) -> Case:
    """The learner's open case on the retail scenario (committed)."""
    case = open_case(learner)
    db.session.commit()
    return case


@pytest.fixture
def make_analysis() -> Callable[..., SavedAnalysis]:
    def make(case: Case, *, title: str = "Pareto by cost", **params) -> SavedAnalysis:
        return services.save_analysis(
            case,
            params=AnalysisParams(**{"measure": "cost", **params}),
            title=title,
            commentary="Installation dominates by cost.",
        )

    return make


@pytest.fixture
def make_recommendation() -> Callable[..., Recommendation]:
    def make(case: Case, analysis: SavedAnalysis, **fields) -> Recommendation:
        return services.save_recommendation(
            case, analysis_id=analysis.id, fields={**GOOD_FIELDS, **fields}
        )

    return make
