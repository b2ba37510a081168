"""Reads for exercises: what a user may see, and the live board."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.casework.clock import SimTime, deadline_status
from portfolio.casework.models import Case, CaseStatus, TrailEvent
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.library.queries import spec_of
from portfolio.roles import Role

BOARD_STAGES = (
    ("not_started", "Not started"),
    ("referral", "Referral"),
    ("investigation", "Investigation"),
    ("resolution", "Resolution"),
    ("analysis", "Analysis"),
    ("evidence", "Evidence"),
    ("submitted", "Submitted"),
    ("assessed", "Assessed"),
)
_ORDER = {key: n for n, (key, _) in enumerate(BOARD_STAGES)}


def exercises_visible_to(user: User) -> sa.Select:
    """Staff see their centre's exercises; learners those set for their cohorts."""
    query = (
        sa.select(Exercise)
        .options(so.joinedload(Exercise.cohort), so.joinedload(Exercise.scenario))
        .order_by(Exercise.closes_on.desc(), Exercise.id.desc())
    )
    if user.centre_id is None:
        return query.where(sa.false())
    if user.role == Role.LEARNER:
        mine = sa.select(cohort_members.c.cohort_id).where(cohort_members.c.user_id == user.id)
        return query.where(Exercise.cohort_id.in_(mine))
    return query.where(Exercise.centre_id == user.centre_id)


@dataclass
class BoardRow:
    learner: User
    case: Case | None
    stage: str
    simulated: str
    final_days_left: int | None
    overdue: bool


def live_board(exercise: Exercise, today: date) -> list[BoardRow]:
    """Every learner of the cohort with where they are in the exercise. Six queries however
    large the cohort: members, cases, trail kinds, analyses, confirmed mappings, submissions."""
    learners = list(
        db.session.scalars(
            sa.select(User)
            .join(cohort_members, cohort_members.c.user_id == User.id)
            .where(cohort_members.c.cohort_id == exercise.cohort_id)
            .order_by(User.full_name)
        )
    )
    ids = [u.id for u in learners]
    cases = {
        c.learner_id: c
        for c in db.session.scalars(
            sa.select(Case)
            .where(Case.exercise_id == exercise.id, Case.status == CaseStatus.OPEN)
            .order_by(Case.created_at)
        )
    }
    case_ids = [c.id for c in cases.values()]
    kinds: dict[int, set[str]] = {}
    for case_id, kind in db.session.execute(
        sa.select(TrailEvent.case_id, TrailEvent.kind)
        .where(TrailEvent.case_id.in_(case_ids))
        .group_by(TrailEvent.case_id, TrailEvent.kind)
    ):
        kinds.setdefault(case_id, set()).add(kind)
    from portfolio.improvement.models import SavedAnalysis

    analysed = set(
        db.session.scalars(
            sa.select(SavedAnalysis.case_id).where(SavedAnalysis.case_id.in_(case_ids)).distinct()
        )
    )
    mapped = set(
        db.session.scalars(
            sa.select(EvidenceItem.case_id)
            .join(Mapping)
            .where(EvidenceItem.case_id.in_(case_ids), Mapping.confirmed.is_(True))
            .distinct()
        )
    )
    latest = {}
    for learner_id, status, submitted_at in db.session.execute(
        sa.select(Portfolio.learner_id, Submission.status, Submission.submitted_at)
        .join(Submission, Submission.portfolio_id == Portfolio.id)
        .where(Portfolio.learner_id.in_(ids))
        .order_by(Submission.number)
    ):
        latest[learner_id] = (status, submitted_at)
    spec = spec_of(exercise.version)
    rows = []
    for learner in learners:
        case = cases.get(learner.id)
        if case is None:
            rows.append(
                BoardRow(learner, None, "not_started", "", None, today > exercise.closes_on)
            )
            continue
        stage = _case_stage(kinds.get(case.id, set()))
        if case.id in analysed:
            stage = _later(stage, "analysis")
        if case.id in mapped:
            stage = _later(stage, "evidence")
        submitted = latest.get(learner.id)
        if submitted and submitted[1] >= case.created_at:
            stage = _later(stage, "submitted" if submitted[0] == "submitted" else "assessed")
        final = next((d for d in deadline_status(spec, case.hours) if d.deadline.final), None)
        rows.append(
            BoardRow(
                learner,
                case,
                stage,
                str(SimTime.from_hours(spec.clock, case.hours)),
                final.days_left if final else None,
                today > exercise.closes_on and _ORDER[stage] < _ORDER["submitted"],
            )
        )
    return rows


def _case_stage(kinds: set[str]) -> str:
    if "customer_replied" in kinds or "response_sent" in kinds or "letter_saved" in kinds:
        return "resolution"
    if kinds & {"options_saved", "remedy_saved", "authorisation_requested"}:
        return "resolution"
    if kinds & {"document_requested", "question_asked"}:
        return "investigation"
    return "referral"


def _later(a: str, b: str) -> str:
    return a if _ORDER[a] >= _ORDER[b] else b


def stage_counts(rows: list[BoardRow]) -> dict[str, int]:
    counts = {key: 0 for key, _ in BOARD_STAGES}
    for row in rows:
        counts[row.stage] += 1
    return counts


def centre_cohorts(user: User) -> list[Cohort]:
    return list(
        db.session.scalars(
            sa.select(Cohort).where(Cohort.centre_id == user.centre_id).order_by(Cohort.name)
        )
    )
