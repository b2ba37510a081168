"""Imports every feature's models so that metadata, Alembic and the user loader see them all."""

import sqlalchemy as sa

from portfolio.accounts.models import Centre, Cohort, LoginFailure, User, cohort_members
from portfolio.casework.models import Case, CaseRecord, Finding, TimelineEntry, TrailEvent
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission
from portfolio.exercises.models import Exercise
from portfolio.export.models import BulkExport
from portfolio.extensions import db, login_manager
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.record_ids import record_id
from portfolio.review.models import (
    Assessment,
    CriterionDecision,
    DecisionLogEntry,
    IqaReview,
    IqaVerdict,
    Notification,
    Sample,
    SamplingPlan,
)

__all__ = [
    "BulkExport",
    "Exercise",
    "Assessment",
    "CriterionDecision",
    "DecisionLogEntry",
    "IqaReview",
    "IqaVerdict",
    "Notification",
    "Sample",
    "SamplingPlan",
    "Recommendation",
    "SavedAnalysis",
    "EvidenceItem",
    "Mapping",
    "Portfolio",
    "Submission",
    "Case",
    "CaseRecord",
    "Finding",
    "TimelineEntry",
    "TrailEvent",
    "Centre",
    "Cohort",
    "Criterion",
    "LibraryScenario",
    "LoginFailure",
    "Outcome",
    "ScenarioVersion",
    "Unit",
    "User",
    "cohort_members",
]


# Every signed-in request loads its user: a statement built once costs half of session.get,
# which builds its own on each call.
_USER_BY_ID = sa.select(User).where(User.id == sa.bindparam("user_id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's loader; an unknown or malformed ID simply signs nobody in."""
    found = record_id(str(user_id))
    if found is None:
        return None
    return db.session.execute(_USER_BY_ID, {"user_id": found}).scalar_one_or_none()
