"""Imports every feature's models so that metadata, Alembic and the user loader see them all."""

from portfolio.accounts.models import Centre, Cohort, LoginFailure, User, cohort_members
from portfolio.casework.models import Case, CaseRecord, Finding, TimelineEntry, TrailEvent
from portfolio.db import utcnow
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission
from portfolio.exercises.models import Exercise
from portfolio.export.models import BulkExport
from portfolio.extensions import db, login_manager
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.notifications import queries as notification_queries
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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's loader; an unknown or malformed ID simply signs nobody in. The page
    header's unread count comes in the same statement (one round trip a request, not two)."""
    found = record_id(str(user_id))
    if found is None:
        return None
    row = db.session.execute(
        notification_queries.user_with_unread_count(), {"user_id": found, "now": utcnow()}
    ).one_or_none()
    if row is None:
        return None
    notification_queries.remember_unread(row.unread)
    return row.User
