"""Reads for internal quality assurance: plans, the assessments a plan may sample, samples with
everything their pages show, reviews awaiting an assessor's response, and standardisation."""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.evidence.models import Portfolio, Submission
from portfolio.extensions import db
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Decision,
    IqaReview,
    IqaReviewStatus,
    IqaVerdict,
    Sample,
    SampleStage,
    SamplingPlan,
)
from portfolio.review.queries import EffectiveDecision, corrections_of, effective_decisions
from portfolio.roles import Role

# Which completed primary assessments each stage samples. Interim sampling happens while
# learners are still working: any completed marking, returned for resubmission or signed off.
# Summative sampling checks final decisions before certification: signed-off markings only.
STAGE_STATUSES = {
    SampleStage.INTERIM: (AssessmentStatus.RETURNED, AssessmentStatus.SIGNED_OFF),
    SampleStage.SUMMATIVE: (AssessmentStatus.SIGNED_OFF,),
}


@dataclass(frozen=True)
class PlanRow:
    plan: SamplingPlan
    samples: int
    open: int  # samples whose review is not yet complete


def _open_review():
    """A sample is open while its review is missing or still in progress."""
    return sa.or_(IqaReview.id.is_(None), IqaReview.status == IqaReviewStatus.IN_PROGRESS)


def plans_of(iqa: User) -> list[PlanRow]:
    """The IQA's plans, newest first, each with its sample counts (one query)."""
    total = sa.func.count(Sample.id)
    still_open = sa.func.count(Sample.id).filter(_open_review())
    rows = db.session.execute(
        sa.select(SamplingPlan, total, still_open)
        .outerjoin(Sample, Sample.plan_id == SamplingPlan.id)
        .outerjoin(IqaReview, IqaReview.sample_id == Sample.id)
        .where(SamplingPlan.iqa_id == iqa.id, SamplingPlan.centre_id == iqa.centre_id)
        .group_by(SamplingPlan.id)
        .order_by(SamplingPlan.created_at.desc(), SamplingPlan.id.desc())
    ).all()
    return [PlanRow(plan, samples, still) for plan, samples, still in rows]


def open_samples_count(iqa: User) -> int:
    """Samples in the IQA's plans whose review is not complete (for the dashboard)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Sample.id))
            .join(SamplingPlan, Sample.plan_id == SamplingPlan.id)
            .outerjoin(IqaReview, IqaReview.sample_id == Sample.id)
            .where(SamplingPlan.iqa_id == iqa.id, _open_review())
        )
        or 0
    )


def sampling_candidates(plan: SamplingPlan) -> list[Assessment]:
    """The assessments a plan may sample: completed primary markings (see STAGE_STATUSES) of
    learners in the plan's centre who are allocated to the plan's IQA. Assessor and submission
    (whose snapshot names the scenarios) are loaded with them."""
    learner = so.aliased(User)
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(Submission, Assessment.submission_id == Submission.id)
            .join(Portfolio, Submission.portfolio_id == Portfolio.id)
            .join(learner, Portfolio.learner_id == learner.id)
            .where(
                Assessment.kind == AssessmentKind.PRIMARY,
                Assessment.status.in_(STAGE_STATUSES[plan.stage]),
                learner.centre_id == plan.centre_id,
                learner.iqa_id == plan.iqa_id,
            )
            .options(so.joinedload(Assessment.assessor), so.joinedload(Assessment.submission))
            .order_by(Assessment.id)
        )
    )


def samples_of(plan: SamplingPlan) -> sa.Select:
    """A plan's samples, oldest first, with assessment, assessor, learner and review loaded
    (only the columns the plan page shows): page it, as a plan can sample hundreds."""
    return (
        sa.select(Sample)
        .where(Sample.plan_id == plan.id)
        .options(
            so.joinedload(Sample.assessment)
            .load_only(Assessment.id, Assessment.status, Assessment.completed_at)
            .joinedload(Assessment.assessor)
            .load_only(User.id, User.full_name, User.is_new_assessor),
            so.joinedload(Sample.assessment)
            .joinedload(Assessment.submission)
            .load_only(Submission.id, Submission.number, Submission.portfolio_id)
            .joinedload(Submission.portfolio)
            .load_only(Portfolio.id, Portfolio.learner_id)
            .joinedload(Portfolio.learner)
            .load_only(User.id, User.full_name),
            so.joinedload(Sample.review).load_only(IqaReview.id, IqaReview.status),
        )
        .order_by(Sample.id)
    )


def sample_for_page(sample_id: int) -> Sample | None:
    """One sample with its plan, assessment (decisions, assessor, submission, learner) and review
    (verdicts) loaded."""
    return db.session.scalar(
        sa.select(Sample)
        .where(Sample.id == sample_id)
        .options(
            so.joinedload(Sample.plan),
            so.joinedload(Sample.assessment).joinedload(Assessment.assessor),
            so.joinedload(Sample.assessment)
            .joinedload(Assessment.submission)
            .joinedload(Submission.portfolio)
            .joinedload(Portfolio.learner),
            so.joinedload(Sample.assessment).selectinload(Assessment.decisions),
            so.joinedload(Sample.review).selectinload(IqaReview.verdicts),
        )
    )


def review_for_page(review_id: int) -> IqaReview | None:
    """A review with its verdicts (and their criteria), sample, plan and assessment loaded."""
    return db.session.scalar(
        sa.select(IqaReview)
        .where(IqaReview.id == review_id)
        .options(
            so.selectinload(IqaReview.verdicts).joinedload(IqaVerdict.criterion),
            so.joinedload(IqaReview.iqa),
            so.joinedload(IqaReview.sample).joinedload(Sample.plan),
            so.joinedload(IqaReview.sample)
            .joinedload(Sample.assessment)
            .joinedload(Assessment.submission)
            .joinedload(Submission.portfolio)
            .joinedload(Portfolio.learner),
            so.joinedload(IqaReview.sample)
            .joinedload(Sample.assessment)
            .selectinload(Assessment.decisions),
        )
    )


def decisions_of(assessment: Assessment) -> dict[int, EffectiveDecision]:
    """The assessor's decisions on an assessment, by criterion id, as they stand: the stored
    decision, or the assessor's latest correction of it (from the decision log)."""
    return effective_decisions(assessment)


def reviews_awaiting_response(assessor: User) -> list[IqaReview]:
    """Completed IQA reviews of this assessor's markings that they have not yet answered."""
    return list(
        db.session.scalars(
            sa.select(IqaReview)
            .join(Sample, IqaReview.sample_id == Sample.id)
            .join(Assessment, Sample.assessment_id == Assessment.id)
            .where(
                Assessment.assessor_id == assessor.id,
                IqaReview.status == IqaReviewStatus.COMPLETED,
            )
            .options(
                so.joinedload(IqaReview.iqa),
                so.joinedload(IqaReview.sample)
                .joinedload(Sample.assessment)
                .joinedload(Assessment.submission)
                .load_only(Submission.id, Submission.number, Submission.portfolio_id)
                .joinedload(Submission.portfolio)
                .joinedload(Portfolio.learner),
            )
            .order_by(IqaReview.completed_at)
        )
    )


# --- standardisation ----------------------------------------------------------------------


def submissions_to_standardise(iqa: User) -> list[Submission]:
    """The latest submitted version of each portfolio of the IQA's learners, for choosing a
    submission to standardise on; the learner is loaded, the snapshot is not."""
    latest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Submission)
            .join(
                latest,
                sa.and_(
                    latest.c.portfolio_id == Submission.portfolio_id,
                    latest.c.number == Submission.number,
                ),
            )
            .join(Portfolio, Submission.portfolio_id == Portfolio.id)
            .join(User, Portfolio.learner_id == User.id)
            .where(
                User.role == Role.LEARNER,
                User.centre_id == iqa.centre_id,
                User.iqa_id == iqa.id,
            )
            .options(
                so.load_only(
                    Submission.id,
                    Submission.number,
                    Submission.portfolio_id,
                    Submission.submitted_at,
                    Submission.status,
                ),
                so.joinedload(Submission.portfolio).joinedload(Portfolio.learner),
            )
            .order_by(User.full_name, Submission.id)
        )
    )


def assessors_of_centre(centre_id: int | None) -> list[User]:
    """The centre's active assessors, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.centre_id == centre_id,
                User.role == Role.ASSESSOR,
                User.active.is_(True),
            )
            .order_by(User.full_name)
        )
    )


def standardisations_of(iqa: User) -> sa.Select:
    """Submissions of the IQA's learners that have at least one standardisation marking, newest
    first, as rows for ``paginate(rows=True)``: ``Submission`` (with its learner loaded),
    ``markers`` (assessors marking it, the primary included) and ``completed`` (those done)."""
    learner = so.aliased(User)
    standardised = (
        sa.select(Assessment.submission_id)
        .where(Assessment.kind == AssessmentKind.STANDARDISATION)
        .distinct()
    )
    counts = (
        sa.select(
            Assessment.submission_id,
            sa.func.count(Assessment.id).label("markers"),
            sa.func.count(Assessment.id)
            .filter(Assessment.status != AssessmentStatus.IN_PROGRESS)
            .label("completed"),
        )
        .where(Assessment.submission_id.in_(standardised))
        .group_by(Assessment.submission_id)
        .subquery()
    )
    return (
        sa.select(Submission, counts.c.markers, counts.c.completed)
        .join(counts, counts.c.submission_id == Submission.id)
        .join(Portfolio, Submission.portfolio_id == Portfolio.id)
        .join(learner, Portfolio.learner_id == learner.id)
        .where(learner.centre_id == iqa.centre_id, learner.iqa_id == iqa.id)
        .options(
            so.load_only(Submission.id, Submission.number, Submission.portfolio_id),
            so.joinedload(Submission.portfolio).joinedload(Portfolio.learner),
        )
        .order_by(Submission.id.desc())
    )


def assessments_of(submission: Submission) -> list[Assessment]:
    """Every marking of a submission (primary and standardisation) with assessor and decisions,
    the primary marking first."""
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.submission_id == submission.id)
            .options(so.joinedload(Assessment.assessor), so.selectinload(Assessment.decisions))
            .order_by(Assessment.kind != AssessmentKind.PRIMARY, Assessment.id)
        )
    )


def decisions_of_each(assessments: list[Assessment]) -> dict[int, dict[int, EffectiveDecision]]:
    """decisions_of for several assessments, their corrections read in one query."""
    corrections = corrections_of(assessments)
    return {a.id: effective_decisions(a, corrections[a.id]) for a in assessments}


DECISIONS = tuple(Decision)
