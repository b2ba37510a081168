"""Assessments of submitted versions, per-criterion decisions, and in-app notifications."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.db import UTCDateTime, refuse_bulk_changes, utcnow
from portfolio.evidence.models import Submission
from portfolio.extensions import db
from portfolio.framework.models import Criterion


def _enum(cls):
    return sa.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class Decision(enum.StrEnum):
    COMPETENT = "competent"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return "Competent" if self is Decision.COMPETENT else "Not yet competent"


class AssessmentKind(enum.StrEnum):
    PRIMARY = "primary"  # the learner's allocated assessor marking their submission
    STANDARDISATION = "standardisation"  # another assessor marking it for agreement only


class AssessmentStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"  # returned to the learner for resubmission
    SIGNED_OFF = "signed_off"
    COMPLETED = "completed"  # a standardisation marking, finished


class Assessment(db.Model):
    """One assessor's marking of one submitted version. Decisions are drafts while it is in
    progress; completing it (return, sign-off) writes them to the decision log, after which
    they never change."""

    __tablename__ = "assessments"
    __table_args__ = (sa.UniqueConstraint("submission_id", "assessor_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("submissions.id"), index=True)
    assessor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: so.Mapped[AssessmentKind] = so.mapped_column(
        _enum(AssessmentKind), default=AssessmentKind.PRIMARY
    )
    status: so.Mapped[AssessmentStatus] = so.mapped_column(
        _enum(AssessmentStatus), default=AssessmentStatus.IN_PROGRESS
    )
    overall_feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    signed_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    version: so.Mapped[int] = so.mapped_column(default=1)

    submission: so.Mapped[Submission] = so.relationship()
    assessor: so.Mapped[User] = so.relationship()
    decisions: so.Mapped[list[CriterionDecision]] = so.relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="CriterionDecision.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def completed(self) -> bool:
        return self.status != AssessmentStatus.IN_PROGRESS

    def __repr__(self) -> str:
        return f"<Assessment {self.id} submission={self.submission_id} {self.status.value}>"


class CriterionDecision(db.Model):
    __tablename__ = "criterion_decisions"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "criterion_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("assessments.id"), index=True)
    criterion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("criteria.id"), index=True)
    decision: so.Mapped[Decision] = so.mapped_column(_enum(Decision))
    feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assessment: so.Mapped[Assessment] = so.relationship(back_populates="decisions")
    criterion: so.Mapped[Criterion] = so.relationship()


@sa.event.listens_for(CriterionDecision, "before_update")
@sa.event.listens_for(CriterionDecision, "before_delete")
def _completed_decisions_are_final(mapper, connection, target):
    status = connection.scalar(
        sa.select(Assessment.status).where(Assessment.id == target.assessment_id)
    )
    if status is not None and status != AssessmentStatus.IN_PROGRESS:
        raise RuntimeError("A decision on a completed assessment cannot change.")


class Notification(db.Model):
    """A message in a user's in-app inbox."""

    __tablename__ = "notifications"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    message: so.Mapped[str] = so.mapped_column(sa.String(500))
    link: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # Shown (and counted unread) only from this moment; NULL means from created_at. An
    # exercise's "open" notice is written when the exercise is set but shown when it opens.
    visible_from: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()


class DecisionLogEntry(db.Model):
    """One entry of the append-only decision log. Each entry carries the hash of the entry
    before it and the hash of its own content, so a changed or deleted row breaks the chain
    (`flask --app wsgi audit verify` finds the first that does not match)."""

    __tablename__ = "decision_log"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(unique=True)
    centre_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    submission_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("submissions.id"), index=True
    )
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    entry_hash: so.Mapped[str] = so.mapped_column(sa.String(64))

    actor: so.Mapped[User] = so.relationship()

    def __repr__(self) -> str:
        return f"<DecisionLogEntry {self.seq} {self.kind}>"


@sa.event.listens_for(DecisionLogEntry, "before_update")
def _log_is_append_only(mapper, connection, target):
    raise RuntimeError("Decision log entries are append-only and cannot be changed.")


@sa.event.listens_for(DecisionLogEntry, "before_delete")
def _log_cannot_be_deleted(mapper, connection, target):
    raise RuntimeError("Decision log entries are append-only and cannot be deleted.")


# Bulk UPDATE and DELETE statements skip the mapper events above.
_log_refuses_bulk_changes = refuse_bulk_changes(
    DecisionLogEntry.__table__,
    "Decision log entries are append-only and cannot be changed or deleted.",
)


class SampleStage(enum.StrEnum):
    INTERIM = "interim"
    SUMMATIVE = "summative"


class SamplingPlan(db.Model):
    """An IQA's rules for choosing which assessments to sample (CAMERA-style, risk-based)."""

    __tablename__ = "sampling_plans"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centres.id"), index=True)
    iqa_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    stage: so.Mapped[SampleStage] = so.mapped_column(_enum(SampleStage))
    share_pct: so.Mapped[int] = so.mapped_column(default=20)  # of each assessor's assessments
    all_new_assessors: so.Mapped[bool] = so.mapped_column(default=True)
    each_scenario: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    iqa: so.Mapped[User] = so.relationship()
    samples: so.Mapped[list[Sample]] = so.relationship(
        back_populates="plan", order_by="Sample.id", cascade="all, delete-orphan"
    )


class Sample(db.Model):
    """An assessment chosen by a plan, with the rule that chose it."""

    __tablename__ = "samples"
    __table_args__ = (sa.UniqueConstraint("plan_id", "assessment_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sampling_plans.id"), index=True)
    assessment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("assessments.id"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    plan: so.Mapped[SamplingPlan] = so.relationship(back_populates="samples")
    assessment: so.Mapped[Assessment] = so.relationship()
    review: so.Mapped[IqaReview | None] = so.relationship(back_populates="sample")


class IqaReviewStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # verdict given; waiting for the assessor's response if actions
    RESPONDED = "responded"


class IqaReview(db.Model):
    """The IQA's review of a sampled assessment: agree or disagree per criterion, feedback and
    actions for the assessor, and the assessor's response."""

    __tablename__ = "iqa_reviews"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    sample_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("samples.id"), unique=True)
    iqa_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    status: so.Mapped[IqaReviewStatus] = so.mapped_column(
        _enum(IqaReviewStatus), default=IqaReviewStatus.IN_PROGRESS
    )
    overall_feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    actions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    assessor_response: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    responded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    version: so.Mapped[int] = so.mapped_column(default=1)

    sample: so.Mapped[Sample] = so.relationship(back_populates="review")
    iqa: so.Mapped[User] = so.relationship()
    verdicts: so.Mapped[list[IqaVerdict]] = so.relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="IqaVerdict.id"
    )

    __mapper_args__ = {"version_id_col": version}


class IqaVerdict(db.Model):
    __tablename__ = "iqa_verdicts"
    __table_args__ = (sa.UniqueConstraint("review_id", "criterion_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    review_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("iqa_reviews.id"), index=True)
    criterion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("criteria.id"))
    agree: so.Mapped[bool]
    feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    review: so.Mapped[IqaReview] = so.relationship(back_populates="verdicts")
    criterion: so.Mapped[Criterion] = so.relationship()
