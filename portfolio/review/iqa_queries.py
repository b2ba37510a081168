"""Reads for internal quality assurance: plans, the assessments a plan may sample, samples with
everything their pages show, reviews awaiting an assessor's response, and standardisation."""

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.evidence.models import Portfolio, Submission
from portfolio.extensions import db
from portfolio.reads import rows as read_rows
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
from portfolio.review.queries import (
    EffectiveDecision,
    corrected_not_met,
    corrections_of,
    effective_decisions,
)
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


def review_open() -> sa.ColumnElement[bool]:
    """A sample is open while its review is missing or still in progress (with iqa_reviews
    outer-joined to the sample)."""
    return sa.or_(IqaReview.id.is_(None), IqaReview.status == IqaReviewStatus.IN_PROGRESS)


def iqas_with_open_verdict(assessment: Assessment, criterion_id: int) -> list[str]:
    """Names of the IQAs whose review of the assessment is in progress with a verdict on the
    criterion: a correction of that decision clears the verdict (iqa.clear_verdicts_on_
    correction), and the assessor is told whose."""
    return list(
        db.session.scalars(
            sa.select(User.full_name)
            .join(IqaReview, IqaReview.iqa_id == User.id)
            .join(Sample, Sample.id == IqaReview.sample_id)
            .join(IqaVerdict, IqaVerdict.review_id == IqaReview.id)
            .where(
                Sample.assessment_id == assessment.id,
                IqaReview.status == IqaReviewStatus.IN_PROGRESS,
                IqaVerdict.criterion_id == criterion_id,
            )
            .order_by(User.full_name)
        )
    )


@functools.cache
def _plans_statement() -> sa.Select:
    """The plans of :iqa_id in :centre_id with their sample counts, built once."""
    total = sa.func.count(Sample.id)
    still_open = sa.func.count(Sample.id).filter(review_open())
    return (
        sa.select(SamplingPlan, total, still_open)
        .outerjoin(Sample, Sample.plan_id == SamplingPlan.id)
        .outerjoin(IqaReview, IqaReview.sample_id == Sample.id)
        .where(
            SamplingPlan.iqa_id == sa.bindparam("iqa_id"),
            SamplingPlan.centre_id == sa.bindparam("centre_id"),
        )
        .group_by(SamplingPlan.id)
        .order_by(SamplingPlan.created_at.desc(), SamplingPlan.id.desc())
    )


def plans_of(iqa: User) -> list[PlanRow]:
    """The IQA's plans, newest first, each with its sample counts (one query)."""
    rows = db.session.execute(
        _plans_statement(), {"iqa_id": iqa.id, "centre_id": iqa.centre_id}
    ).all()
    return [PlanRow(plan, samples, still) for plan, samples, still in rows]


@functools.cache
def _open_samples_statement() -> sa.Select:
    """The open samples of :iqa_id's plans, oldest first, at most :limit, with a window
    total; built once."""
    plans, samples, reviews = SamplingPlan.__table__, Sample.__table__, IqaReview.__table__
    return (
        _sample_rows(
            lambda learner, assessor: [
                samples.c.id,
                plans.c.id.label("plan_id"),
                plans.c.name.label("plan"),
                learner.c.full_name.label("learner"),
                Submission.__table__.c.number,
                assessor.c.full_name.label("assessor"),
                reviews.c.status.label("review_status"),
                sa.func.count().over().label("total"),
            ]
        )
        .join(plans, plans.c.id == samples.c.plan_id)
        .where(
            plans.c.iqa_id == sa.bindparam("iqa_id"),
            review_open(),
        )
        .order_by(samples.c.id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


def open_samples(iqa: User, limit: int = 10) -> tuple[list[sa.Row], int]:
    """The IQA's samples still to review (no review yet, or one in progress), oldest first, as
    plain rows for the dashboard: (id, plan_id, plan, learner, number, assessor, review_status,
    total); at most `limit` of them, and how many there are in all (a window count: one
    statement however many are open)."""
    found = read_rows(_open_samples_statement(), {"iqa_id": iqa.id, "limit": limit}).all()
    return found, (found[0].total if found else 0)


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


def _sample_rows(columns) -> sa.Select:
    """Samples, each joined to its assessment, version, learner, assessor and review (outer
    joins: a review not started is None): a select of `columns(learner, assessor)`, given the
    two aliases of users."""
    samples, marks, subs = Sample.__table__, Assessment.__table__, Submission.__table__
    portfolios, reviews = Portfolio.__table__, IqaReview.__table__
    learner, assessor = User.__table__.alias("learner"), User.__table__.alias("assessor")
    return (
        sa.select(*columns(learner, assessor))
        .select_from(samples)
        .outerjoin(marks, marks.c.id == samples.c.assessment_id)
        .outerjoin(subs, subs.c.id == marks.c.submission_id)
        .outerjoin(portfolios, portfolios.c.id == subs.c.portfolio_id)
        .outerjoin(learner, learner.c.id == portfolios.c.learner_id)
        .outerjoin(assessor, assessor.c.id == marks.c.assessor_id)
        .outerjoin(reviews, reviews.c.sample_id == samples.c.id)
    )


@functools.cache
def samples_statement() -> sa.Select:
    """A plan's samples as plain rows, oldest first, with what the plan page shows: (id, reason,
    assessment_id, submission_id, learner, number, assessor, is_new_assessor, status,
    completed_at, review_status: None when the review has not started). Built once; takes
    `plan_id`. Page it, as a plan can sample hundreds: rows cost far less to load than the
    samples with four joined objects each."""
    samples, marks = Sample.__table__, Assessment.__table__
    return (
        _sample_rows(
            lambda learner, assessor: [
                samples.c.id,
                samples.c.reason,
                samples.c.assessment_id,
                marks.c.submission_id,
                learner.c.full_name.label("learner"),
                Submission.__table__.c.number,
                assessor.c.full_name.label("assessor"),
                assessor.c.is_new_assessor,
                marks.c.status,
                marks.c.completed_at,
                IqaReview.__table__.c.status.label("review_status"),
            ]
        )
        .where(samples.c.plan_id == sa.bindparam("plan_id"))
        .order_by(samples.c.id)
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


def decisions_of(
    assessment: Assessment, *, as_of: datetime | None = None
) -> dict[int, EffectiveDecision]:
    """The assessor's decisions on an assessment, by criterion id, as they stand: the stored
    decision, or the assessor's latest correction of it (from the decision log). With
    `as_of`, as they stood then: what a completed IQA review gave its verdicts on."""
    corrections = corrections_of([assessment])[assessment.id]
    if as_of is not None:
        corrections = [e for e in corrections if e.created_at <= as_of]
    return effective_decisions(assessment, corrections)


@functools.cache
def _awaiting_response_statement() -> sa.Select:
    """Completed reviews of an assessor's markings as plain rows: (id, learner, number, iqa,
    completed_at, disagreements), oldest first. Built once; takes `assessor_id`."""
    reviews, samples, marks = IqaReview.__table__, Sample.__table__, Assessment.__table__
    subs, portfolios = Submission.__table__, Portfolio.__table__
    learner, iqa = User.__table__.alias("learner"), User.__table__.alias("iqa")
    verdicts = IqaVerdict.__table__
    disagreements = (
        sa.select(sa.func.count())
        .where(verdicts.c.review_id == reviews.c.id, verdicts.c.agree.is_(False))
        .scalar_subquery()
    )
    return (
        sa.select(
            reviews.c.id,
            learner.c.full_name.label("learner"),
            subs.c.number,
            iqa.c.full_name.label("iqa"),
            reviews.c.completed_at,
            disagreements.label("disagreements"),
        )
        .join(samples, reviews.c.sample_id == samples.c.id)
        .join(marks, samples.c.assessment_id == marks.c.id)
        .join(subs, marks.c.submission_id == subs.c.id)
        .join(portfolios, subs.c.portfolio_id == portfolios.c.id)
        .join(learner, portfolios.c.learner_id == learner.c.id)
        .join(iqa, reviews.c.iqa_id == iqa.c.id)
        .where(
            marks.c.assessor_id == sa.bindparam("assessor_id"),
            reviews.c.status == IqaReviewStatus.COMPLETED,
        )
        .order_by(reviews.c.completed_at, reviews.c.id)
    )


def reviews_awaiting_response(assessor: User) -> list[sa.Row]:
    """Completed IQA reviews of this assessor's markings that they have not yet answered, as
    rows (id, learner, number, iqa, completed_at, disagreements: how many verdicts disagree)
    for the dashboard: one statement built once, no objects loaded."""
    statement = _awaiting_response_statement()
    return read_rows(statement, {"assessor_id": assessor.id}).all()


@functools.cache
def _samples_of_assessment_statement() -> sa.Select:
    """`samples_of_assessment` built once: bind :assessment_id."""
    samples, plans, reviews = Sample.__table__, SamplingPlan.__table__, IqaReview.__table__
    planner, reviewer = User.__table__.alias("planner"), User.__table__.alias("reviewer")
    return (
        sa.select(
            samples.c.created_at.label("sampled_at"),
            # the IQA reviewing it, or the plan's IQA while the review has not started
            sa.func.coalesce(reviewer.c.full_name, planner.c.full_name).label("iqa"),
            reviews.c.id.label("review_id"),
            reviews.c.status.label("review_status"),
            reviews.c.completed_at,
        )
        .select_from(samples)
        .join(plans, plans.c.id == samples.c.plan_id)
        .join(planner, planner.c.id == plans.c.iqa_id)
        .outerjoin(reviews, reviews.c.sample_id == samples.c.id)
        .outerjoin(reviewer, reviewer.c.id == reviews.c.iqa_id)
        .where(samples.c.assessment_id == sa.bindparam("assessment_id"))
        .order_by(samples.c.created_at, samples.c.id)
    )


def samples_of_assessment(assessment: Assessment) -> list[sa.Row]:
    """The IQA samples of one assessment, oldest first, for the assessor's bench: rows
    (sampled_at, iqa, review_id, review_status, completed_at), review_id and review_status None
    while the review has not started. One statement, no objects loaded."""
    return read_rows(_samples_of_assessment_statement(), {"assessment_id": assessment.id}).all()


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


def standardisation_markers(submission: Submission) -> list[User]:
    """The assessors who may be asked to mark a submission for standardisation: the centre's
    active assessors except the learner's own, whose marking is compared anyway."""
    learner = submission.portfolio.learner
    return [a for a in assessors_of_centre(learner.centre_id) if a.id != learner.assessor_id]


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


def corrected_below_met(rows: list[sa.Row]) -> set[int]:
    """Ids of the signed-off assessments among these sample rows that a later correction took
    below "every criterion met" (a sign-off's stored decisions are all Competent, so only a
    correction can): one query, run however many rows there are."""
    signed = [r for r in rows if r.status == AssessmentStatus.SIGNED_OFF]
    found = corrected_not_met([r.assessment_id for r in signed], [r.submission_id for r in signed])
    return set(found)
