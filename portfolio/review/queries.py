"""Reads for assessment: the assessor's queue, effective decisions (stored decisions overlaid
by corrections from the log), and what the dashboards and pages list. The list queries run a
fixed number of statements whatever the caseload's size (the caseload grid is in caseload.py)."""

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.evidence.models import (
    EvidenceItem,
    EvidenceKind,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.queries import is_newest_version
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.reads import rows as read_rows
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    Decision,
    DecisionLogEntry,
)
from portfolio.roles import Role

COMPLETED = (AssessmentStatus.RETURNED, AssessmentStatus.SIGNED_OFF)


@dataclass(frozen=True)
class EffectiveDecision:
    """A criterion's decision as it stands: the stored decision, or the latest correction."""

    criterion_id: int
    decision: Decision
    feedback: str
    corrected: bool = False
    reason: str = ""
    corrected_at: datetime | None = None


def unit_criteria(portfolio: Portfolio) -> list[Criterion]:
    """The criteria of the portfolio's unit, in outcome and criterion order."""

    return list(
        db.session.scalars(
            sa.select(Criterion)
            .join(Outcome, Criterion.outcome_id == Outcome.id)
            .where(Criterion.unit_id == portfolio.unit_id)
            .order_by(Outcome.position, Criterion.position, Criterion.id)
        )
    )


def is_latest(submission: Submission) -> bool:
    """True when no later version of the portfolio has been submitted."""
    newest = db.session.scalar(
        sa.select(sa.func.max(Submission.number)).where(
            Submission.portfolio_id == submission.portfolio_id
        )
    )
    return newest == submission.number


def find_assessment(submission: Submission, assessor: User) -> Assessment | None:
    """This assessor's assessment of the submission, if they have opened one."""
    return db.session.scalar(
        sa.select(Assessment).where(
            Assessment.submission_id == submission.id, Assessment.assessor_id == assessor.id
        )
    )


def corrections_of(assessments: list[Assessment]) -> dict[int, list[DecisionLogEntry]]:
    """Correction entries for these assessments, oldest first, in one query."""
    if not assessments:
        return {}
    ids = {a.id for a in assessments}
    rows = db.session.scalars(
        sa.select(DecisionLogEntry)
        .where(
            DecisionLogEntry.kind == "correction",
            DecisionLogEntry.submission_id.in_(sorted({a.submission_id for a in assessments})),
        )
        .order_by(DecisionLogEntry.seq)
    )
    found: dict[int, list[DecisionLogEntry]] = {i: [] for i in ids}
    for row in rows:
        if row.payload.get("assessment_id") in ids:
            found[row.payload["assessment_id"]].append(row)
    return found


def last_correction_seq(assessment: Assessment, criterion_id: int) -> int:
    """The log position of the latest correction of one criterion's decision (0 if none): the
    bench's correction form carries it, so a correction made since in another tab is seen."""
    entries = corrections_of([assessment])[assessment.id]
    return max((e.seq for e in entries if e.payload["criterion_id"] == criterion_id), default=0)


def effective_decisions(
    assessment: Assessment, corrections: list[DecisionLogEntry] | None = None
) -> dict[int, EffectiveDecision]:
    """Each decided criterion's decision as it stands: the stored (final) decision, unless a
    later correction on the log replaced it."""
    if corrections is None:
        corrections = corrections_of([assessment])[assessment.id]
    result = {
        d.criterion_id: EffectiveDecision(d.criterion_id, d.decision, d.feedback)
        for d in assessment.decisions
    }
    for entry in corrections:
        p = entry.payload
        result[p["criterion_id"]] = EffectiveDecision(
            p["criterion_id"],
            Decision(p["decision"]),
            p["feedback"],
            corrected=True,
            reason=p["reason"],
            corrected_at=entry.created_at,
        )
    return result


def later_records(submission: Submission) -> list[EvidenceItem]:
    """Assessor records added to the portfolio since this version was submitted: they go into
    the learner's next version, and the assessor may weigh them now (the bench shows them)."""
    in_snapshot = [i["id"] for i in submission.snapshot["items"]]
    return list(
        db.session.scalars(
            sa.select(EvidenceItem)
            .where(
                EvidenceItem.portfolio_id == submission.portfolio_id,
                EvidenceItem.kind == EvidenceKind.ASSESSOR,
                EvidenceItem.withdrawn.is_(False),
                EvidenceItem.id.not_in(in_snapshot),
            )
            .options(so.selectinload(EvidenceItem.mappings).joinedload(Mapping.criterion))
            .order_by(EvidenceItem.id)
        )
    )


def evidenced_refs(assessment: Assessment) -> set[str]:
    """Refs of the criteria with evidence the assessor can weigh: mapped in the submitted
    version's snapshot, or (while marking the learner's own work) mapped by a later assessor
    record that the bench shows beside it. Once the assessment is complete, only the records
    the bench showed while it was marked count: one added afterwards belongs to the learner's
    next version, so it cannot justify correcting this one to Competent."""
    submission = assessment.submission
    refs = {m["ref"] for item in submission.snapshot["items"] for m in item["mappings"]}
    if assessment.kind == AssessmentKind.PRIMARY:
        until = assessment.completed_at if assessment.completed else None
        refs |= {
            m.criterion.ref
            for record in later_records(submission)
            if until is None or record.created_at <= until
            for m in record.mappings
            if m.confirmed
        }
    return refs


def not_met_now(assessment_ids: Collection[int]) -> dict[int, list[str]]:
    """{assessment id: refs judged Not yet competent as decisions now stand} for those of these
    signed-off assessments that a later correction took below "every criterion met" (a
    sign-off's stored decisions are all Competent, so only corrections can). Two queries."""
    ids = sorted(set(assessment_ids))
    if not ids:
        return {}
    submissions = db.session.scalars(
        sa.select(Assessment.submission_id).where(
            Assessment.id.in_(ids), Assessment.status == AssessmentStatus.SIGNED_OFF
        )
    ).all()
    return corrected_not_met(ids, submissions)


def corrected_not_met(
    assessment_ids: Collection[int], submission_ids: Collection[int]
) -> dict[int, list[str]]:
    """{assessment id: refs a correction has made Not yet competent} for those of these
    assessments (of these submissions) that have one: the corrections on the log, latest
    standing. One query; none when there is nothing to look up."""
    ids = set(assessment_ids)
    if not ids or not submission_ids:
        return {}
    standing: dict[int, dict[str, str]] = {}
    for payload in db.session.scalars(
        sa.select(DecisionLogEntry.payload)
        .where(
            DecisionLogEntry.kind == "correction",
            DecisionLogEntry.submission_id.in_(sorted(set(submission_ids))),
        )
        .order_by(DecisionLogEntry.seq)
    ):
        if payload.get("assessment_id") in ids:
            standing.setdefault(payload["assessment_id"], {})[payload["criterion"]] = payload[
                "decision"
            ]
    found = {
        aid: sorted(ref for ref, d in refs.items() if d == Decision.NOT_YET)
        for aid, refs in standing.items()
    }
    return {aid: refs for aid, refs in found.items() if refs}


def load_assessment(assessment_id: int) -> Assessment | None:
    """An assessment with what every page about it reads, in one query."""
    return db.session.scalar(
        sa.select(Assessment)
        .where(Assessment.id == assessment_id)
        .options(
            so.joinedload(Assessment.submission)
            .joinedload(Submission.portfolio)
            .joinedload(Portfolio.learner),
            so.joinedload(Assessment.assessor),
            so.selectinload(Assessment.decisions),
        )
    )


# --- the queue ----------------------------------------------------------------------------


def age_label(age: timedelta) -> str:
    """How long something has waited, in words: "under an hour", "5 hours", "3 days"."""
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{hours // 24} days"


def _awaiting(assessor_id, centre_id) -> list[sa.ColumnElement[bool]]:
    """What puts a submission in an assessor's queue, over the joined submissions, portfolios
    and users (the learner): the latest version of one of their learners' portfolios,
    submitted and with no completed primary marking.

    The latest version is the portfolio's highest number (evidence.queries.is_newest_version)
    rather than one with "no later version": on SQLite that reads the status behind each large
    snapshot for the latest versions only (ten times faster)."""
    subs, marks = Submission.__table__, Assessment.__table__
    completed = sa.exists().where(
        marks.c.submission_id == subs.c.id,
        marks.c.kind == AssessmentKind.PRIMARY,
        marks.c.status != AssessmentStatus.IN_PROGRESS,
    )
    users = User.__table__
    return [
        users.c.role == Role.LEARNER,
        users.c.assessor_id == assessor_id,
        users.c.centre_id == centre_id,
        is_newest_version(subs, Portfolio.__table__),
        ~completed,
        subs.c.status == SubmissionStatus.SUBMITTED,
    ]


@functools.cache
def queue_statement() -> sa.Select:
    """The queue as plain rows, oldest first: (submission_id, number, submitted_at, learner,
    unit, marking: the assessor's own assessment id or None). Built once; takes `assessor_id`
    and `centre_id` (run it only for an assessor with a centre)."""
    subs, portfolios, users = Submission.__table__, Portfolio.__table__, User.__table__
    units, mine = Unit.__table__, Assessment.__table__.alias("mine")
    assessor_id, centre_id = sa.bindparam("assessor_id"), sa.bindparam("centre_id")
    return (
        sa.select(
            subs.c.id.label("submission_id"),
            subs.c.number,
            subs.c.submitted_at,
            users.c.full_name.label("learner"),
            units.c.code.label("unit"),
            mine.c.id.label("marking"),
        )
        .select_from(subs)
        .join(portfolios, portfolios.c.id == subs.c.portfolio_id)
        .join(users, users.c.id == portfolios.c.learner_id)
        .join(units, units.c.id == portfolios.c.unit_id)
        .outerjoin(mine, (mine.c.submission_id == subs.c.id) & (mine.c.assessor_id == assessor_id))
        .where(*_awaiting(assessor_id, centre_id))
        .order_by(subs.c.submitted_at, subs.c.id)
    )


def queue_params(assessor: User) -> dict | None:
    """queue_statement's parameters for this user, or None when they have no queue."""
    if assessor.role != Role.ASSESSOR or assessor.centre_id is None:
        return None
    return {"assessor_id": assessor.id, "centre_id": assessor.centre_id}


def queue_rows(assessor: User) -> list[sa.Row]:
    """The whole queue as queue_statement's rows (the queue page pages the same statement)."""
    params = queue_params(assessor)
    if params is None:
        return []
    return read_rows(queue_statement(), params).all()


@functools.cache
def _summary_statement() -> sa.Select:
    """How many submissions wait and when the oldest came: built once, queue_statement's
    parameters."""
    waiting = queue_statement().order_by(None).subquery()
    return sa.select(sa.func.count(), sa.func.min(waiting.c.submitted_at))


def queue_summary(assessor: User) -> tuple[int, datetime | None]:
    """How many submissions wait for the assessor, and when the oldest was submitted."""
    params = queue_params(assessor)
    if params is None:
        return 0, None
    count, oldest = read_rows(_summary_statement(), params).one()
    return count, oldest


# --- decisions as they stand ---------------------------------------------------------------


@functools.cache
def _decision_state_statements() -> tuple[sa.Select, sa.Select]:
    """The stored decisions of each portfolio's latest completed primary assessment, and the
    corrections logged against their versions: built once, taking `portfolio_ids` and
    `submission_ids` (expanding)."""
    a, s = Assessment.__table__, Submission.__table__
    d, log = CriterionDecision.__table__, DecisionLogEntry.__table__
    ranked = (
        sa.select(
            a.c.id,
            a.c.submission_id,
            s.c.portfolio_id,
            sa.func.row_number()
            .over(
                partition_by=s.c.portfolio_id,
                order_by=(s.c.number.desc(), a.c.completed_at.desc()),
            )
            .label("rank"),
        )
        .join(s, s.c.id == a.c.submission_id)
        .where(
            s.c.portfolio_id.in_(sa.bindparam("portfolio_ids", expanding=True)),
            a.c.kind == AssessmentKind.PRIMARY,
            a.c.status.in_(COMPLETED),
        )
        .subquery()
    )
    decisions = (
        sa.select(
            ranked.c.portfolio_id,
            ranked.c.id,
            ranked.c.submission_id,
            d.c.criterion_id,
            d.c.decision,
        )
        .join(d, d.c.assessment_id == ranked.c.id)
        .where(ranked.c.rank == 1)
    )
    corrections = (
        sa.select(log.c.payload)
        .where(
            log.c.kind == "correction",
            log.c.submission_id.in_(sa.bindparam("submission_ids", expanding=True)),
        )
        .order_by(log.c.seq)
    )
    return decisions, corrections


def latest_decision_states(portfolio_ids: Collection[int]) -> dict[int, dict[int, Decision]]:
    """{portfolio id: {criterion id: decision as it stands}} from each portfolio's latest
    completed primary assessment, corrections applied: plain columns in two queries, for the
    grids that show hundreds of learners' decisions (loading them as objects cost most of the
    caseload page's time)."""
    if not portfolio_ids:
        return {}
    decisions, corrections = _decision_state_statements()
    states: dict[int, dict[int, Decision]] = {}
    portfolio_of: dict[int, int] = {}
    submissions: set[int] = set()
    for pid, aid, sid, cid, decision in read_rows(
        decisions, {"portfolio_ids": sorted(portfolio_ids)}
    ):
        states.setdefault(pid, {})[cid] = decision
        portfolio_of[aid] = pid
        submissions.add(sid)
    if submissions:
        for payload in read_rows(corrections, {"submission_ids": sorted(submissions)}).scalars():
            pid = portfolio_of.get(payload.get("assessment_id"))
            if pid is not None:
                states[pid][payload["criterion_id"]] = Decision(payload["decision"])
    return states


def previous_version(submission: Submission) -> Submission | None:
    """Version N-1 of the same portfolio, if there is one."""
    return db.session.scalar(
        sa.select(Submission).where(
            Submission.portfolio_id == submission.portfolio_id,
            Submission.number == submission.number - 1,
        )
    )


def newest_version(submission: Submission) -> Submission:
    """The portfolio's latest submitted version (this one when no later one exists)."""
    return db.session.scalar(
        sa.select(Submission)
        .where(Submission.portfolio_id == submission.portfolio_id)
        .order_by(Submission.number.desc())
        .limit(1)
    )


def completed_assessment_of(submission: Submission) -> Assessment | None:
    """The completed primary assessment of a version, decisions loaded."""
    return db.session.scalar(
        sa.select(Assessment)
        .where(
            Assessment.submission_id == submission.id,
            Assessment.kind == AssessmentKind.PRIMARY,
            Assessment.status.in_(COMPLETED),
        )
        .options(so.selectinload(Assessment.decisions))
        .limit(1)
    )


def log_of_portfolio(portfolio: Portfolio) -> list[DecisionLogEntry]:
    """Every decision-log entry about the portfolio's versions, in chain order."""
    return list(
        db.session.scalars(
            sa.select(DecisionLogEntry)
            .join(Submission, DecisionLogEntry.submission_id == Submission.id)
            .where(Submission.portfolio_id == portfolio.id)
            .options(so.joinedload(DecisionLogEntry.actor))
            .order_by(DecisionLogEntry.seq)
        )
    )


@functools.cache
def _standardisation_pending_statement() -> sa.Select:
    """`standardisation_pending` built once: bind :assessor_id."""
    a, s, p = Assessment.__table__, Submission.__table__, Portfolio.__table__
    users, units = User.__table__, Unit.__table__
    return (
        sa.select(
            s.c.id.label("submission_id"),
            users.c.full_name.label("learner"),
            s.c.number,
            units.c.code.label("unit"),
            a.c.started_at,
        )
        .join(s, s.c.id == a.c.submission_id)
        .join(p, p.c.id == s.c.portfolio_id)
        .join(users, users.c.id == p.c.learner_id)
        .join(units, units.c.id == p.c.unit_id)
        .where(
            a.c.assessor_id == sa.bindparam("assessor_id"),
            a.c.kind == AssessmentKind.STANDARDISATION,
            a.c.status == AssessmentStatus.IN_PROGRESS,
        )
        .order_by(a.c.started_at, a.c.id)
    )


def standardisation_pending(assessor: User) -> list[sa.Row]:
    """The assessor's unfinished standardisation markings (an IQA asked them to mark another
    assessor's learner's version, for comparison only), oldest first, as rows
    (submission_id, learner, number, unit, started_at): one query, no objects loaded."""
    return read_rows(_standardisation_pending_statement(), {"assessor_id": assessor.id}).all()


def standardisation_ids(portfolio: Portfolio) -> set[int]:
    """Ids of the standardisation markings of the portfolio's versions."""
    return set(
        db.session.scalars(
            sa.select(Assessment.id)
            .join(Submission, Submission.id == Assessment.submission_id)
            .where(
                Submission.portfolio_id == portfolio.id,
                Assessment.kind == AssessmentKind.STANDARDISATION,
            )
        )
    )


def queue_glance(assessor: User) -> dict:
    """For the assessor's dashboard: how many submissions wait, and the oldest one's age."""
    count, oldest = queue_summary(assessor)
    return {
        "queue_count": count,
        "queue_oldest_age": age_label(utcnow() - oldest) if oldest is not None else None,
    }
