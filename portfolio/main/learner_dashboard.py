"""The learner's dashboard: feedback to act on, exercises set, open cases on the simulated
clock, progress by learning outcome and who supports them.

It is the page every learner lands on, so each statement is built once and run on the
session's connection as plain rows (building statements and loading objects cost more than
these small queries). Nine queries, however many exercises, cases, items or versions."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from portfolio.accounts.models import Centre, Cohort, User, cohort_members
from portfolio.casework.clock import DeadlineStatus, deadline_status
from portfolio.casework.models import Case, CaseStatus, TrailEvent
from portfolio.casework.trail import TrailKind
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission, SubmissionStatus
from portfolio.evidence.overview import counts_as_progress
from portfolio.evidence.queries import is_newest_version, submitted_refs
from portfolio.exercises.models import Exercise
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.library.models import ScenarioVersion
from portfolio.library.queries import spec_by_key
from portfolio.reads import rows
from portfolio.review.models import Assessment, AssessmentKind, AssessmentStatus, Decision
from portfolio.review.queries import latest_decision_states, not_met_now

EXERCISES_SHOWN = 20
OPEN_CASES_SHOWN = 10
PORTFOLIOS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class OpenCase:
    id: int
    title: str
    #: The scenario's final deadline as it stands on the case's clock (None if it has none).
    final: DeadlineStatus | None


@dataclass(frozen=True, slots=True)
class OutcomeProgress:
    ref: str
    title: str
    done: int  # criteria met, with confirmed evidence, or in a version awaiting assessment
    total: int


@dataclass(slots=True)
class Progress:
    portfolio_id: int
    unit_title: str
    outcomes: list[OutcomeProgress] = field(default_factory=list)


@functools.cache
def _statements() -> dict[str, sa.Select]:
    """Every statement the dashboard runs, built once; each takes `learner_id` (and the
    progress ones `portfolio_ids` or `unit_ids`)."""
    learner = sa.bindparam("learner_id")
    e, members = Exercise.__table__, cohort_members
    c, ver = Case.__table__, ScenarioVersion.__table__
    t = TrailEvent.__table__
    p, un, s = Portfolio.__table__, Unit.__table__, Submission.__table__
    o, cr = Outcome.__table__, Criterion.__table__
    i, m = EvidenceItem.__table__, Mapping.__table__
    a, assessor = Assessment.__table__, User.__table__.alias("assessor")
    users, centres, cohorts = User.__table__, Centre.__table__, Cohort.__table__
    iqa = users.alias("iqa")
    portfolio_ids = sa.bindparam("portfolio_ids", expanding=True)
    return {
        # Exercises set for the learner's cohorts, newest closing first.
        "exercises": sa.select(e.c.id, e.c.title, e.c.opens_on, e.c.closes_on)
        .where(
            e.c.cohort_id.in_(sa.select(members.c.cohort_id).where(members.c.user_id == learner))
        )
        .order_by(e.c.closes_on.desc(), e.c.id.desc())
        .limit(EXERCISES_SHOWN),
        # Each open case with when its final response was first sent (None while unsent).
        "cases": sa.select(
            c.c.id,
            c.c.hours,
            ver.c.id,
            ver.c.content_hash,
            sa.select(sa.func.min(t.c.sim_hours))
            .where(t.c.case_id == c.c.id, t.c.kind == TrailKind.RESPONSE_SENT.value)
            .scalar_subquery(),
        )
        .join(ver, ver.c.id == c.c.scenario_version_id)
        .where(c.c.learner_id == learner, c.c.status == CaseStatus.OPEN)
        .order_by(c.c.updated_at.desc(), c.c.id.desc())
        .limit(OPEN_CASES_SHOWN),
        # Each portfolio with its latest version (found by number through the unique index).
        "portfolios": sa.select(p.c.id, p.c.unit_id, un.c.title, s.c.id, s.c.status)
        .join(un, un.c.id == p.c.unit_id)
        .outerjoin(s, is_newest_version(s, p))
        .where(p.c.learner_id == learner)
        .order_by(p.c.id)
        .limit(PORTFOLIOS_SHOWN),
        "outcomes": sa.select(o.c.unit_id, o.c.id, o.c.ref, o.c.title, cr.c.id, cr.c.ref)
        .select_from(o)
        .outerjoin(cr, cr.c.outcome_id == o.c.id)
        .where(o.c.unit_id.in_(sa.bindparam("unit_ids", expanding=True)))
        .order_by(o.c.unit_id, o.c.position, o.c.id),
        # Criteria with a confirmed mapping from a live item, by portfolio.
        "confirmed": sa.select(i.c.portfolio_id, m.c.criterion_id)
        .distinct()
        .join(i, i.c.id == m.c.item_id)
        .where(
            i.c.portfolio_id.in_(portfolio_ids),
            i.c.withdrawn.is_(False),
            m.c.confirmed.is_(True),
        ),
        # Completed primary assessments of each portfolio's newest version that the learner
        # has not acknowledged, newest first: feedback on a version since superseded (a
        # returned version 1 once version 2 is in) is no longer there to act on.
        "feedback": sa.select(
            a.c.id, s.c.number, a.c.status, assessor.c.full_name, a.c.completed_at
        )
        .join(s, s.c.id == a.c.submission_id)
        .join(p, p.c.id == s.c.portfolio_id)
        .join(assessor, assessor.c.id == a.c.assessor_id)
        .where(
            p.c.learner_id == learner,
            is_newest_version(s, p),
            a.c.kind == AssessmentKind.PRIMARY,
            a.c.status.in_([AssessmentStatus.RETURNED, AssessmentStatus.SIGNED_OFF]),
            a.c.acknowledged_at.is_(None),
        )
        .order_by(a.c.completed_at.desc(), a.c.id.desc()),
        "support": sa.select(centres.c.name, assessor.c.full_name, iqa.c.full_name)
        .select_from(users)
        .outerjoin(centres, centres.c.id == users.c.centre_id)
        .outerjoin(assessor, assessor.c.id == users.c.assessor_id)
        .outerjoin(iqa, iqa.c.id == users.c.iqa_id)
        .where(users.c.id == learner),
        "cohorts": sa.select(cohorts.c.name)
        .join(members, members.c.cohort_id == cohorts.c.id)
        .where(members.c.user_id == learner)
        .order_by(cohorts.c.name),
    }


def _run(name: str, **params) -> sa.CursorResult:
    return rows(_statements()[name], params)


def open_cases(learner_id: int) -> list[OpenCase]:
    """The learner's open cases, most recently worked first, each with its final deadline."""
    found = []
    for case_id, hours, version_id, content_hash, sent in _run("cases", learner_id=learner_id):
        # Titled as the case's own version has it (a later version may retitle the scenario).
        spec = spec_by_key(version_id, content_hash)
        statuses = deadline_status(spec, hours, sent_hours=sent)
        final = next((d for d in statuses if d.deadline.final), None)
        found.append(OpenCase(case_id, spec.title, final))
    return found


def progress(learner_id: int) -> list[Progress]:
    """Progress by learning outcome in each of the learner's first portfolios: how many of an
    outcome's criteria are met, are in the version awaiting assessment, or have confirmed
    evidence not judged Not yet competent (`overview.counts_as_progress`, the rule the
    portfolio page uses)."""
    portfolios = _run("portfolios", learner_id=learner_id).all()
    if not portfolios:
        return []
    awaiting = [sid for *_, sid, status in portfolios if status == SubmissionStatus.SUBMITTED]
    submitted = submitted_refs(awaiting)
    ids = [pid for pid, *_ in portfolios]
    confirmed: dict[int, set[int]] = {pid: set() for pid in ids}
    for pid, criterion_id in _run("confirmed", portfolio_ids=ids):
        confirmed[pid].add(criterion_id)
    units: dict[int, list[tuple[str, str, list[tuple[int, str]]]]] = {}
    for unit_id, outcome_id, ref, title, criterion_id, criterion_ref in _run(
        "outcomes", unit_ids=sorted({unit_id for _, unit_id, *_ in portfolios})
    ):
        outcomes = units.setdefault(unit_id, [])
        if not outcomes or outcomes[-1][0] != outcome_id:
            outcomes.append((outcome_id, ref, title, []))
        if criterion_id is not None:
            outcomes[-1][3].append((criterion_id, criterion_ref))
    states = latest_decision_states(ids)
    result = []
    for pid, unit_id, unit_title, sid, status in portfolios:
        waiting = status == SubmissionStatus.SUBMITTED
        refs = submitted.get(sid, frozenset()) if waiting else ()
        mine = confirmed[pid]
        decided = states.get(pid, {})
        shown = Progress(pid, unit_title)
        for _, ref, title, criteria in units.get(unit_id, []):
            # As on the portfolio page, a Not yet competent decision stands until a newer
            # version waits for assessment.
            done = sum(
                counts_as_progress(
                    decided.get(cid) == Decision.COMPETENT,
                    cid in mine,
                    cref in refs,
                    not_yet=not waiting and decided.get(cid) == Decision.NOT_YET,
                )
                for cid, cref in criteria
            )
            shown.outcomes.append(OutcomeProgress(ref, title, done, len(criteria)))
        result.append(shown)
    return result


def learner_context(learner: User, today: date) -> dict:
    """Everything the learner's dashboard shows."""
    uid = learner.id
    centre, assessor, iqa = _run("support", learner_id=uid).one()
    feedback_due = _run("feedback", learner_id=uid).all()
    signed = [row.id for row in feedback_due if row.status == AssessmentStatus.SIGNED_OFF]
    return {
        "feedback_due": feedback_due,
        # signed off, then corrected below "every criterion met": {assessment id: refs}
        "not_met_now": not_met_now(signed),
        "exercises": _run("exercises", learner_id=uid).all() if learner.centre_id else [],
        "open_cases": open_cases(uid),
        "progress": progress(uid),
        "today": today,
        "support": {
            "centre": centre,
            "assessor": assessor,
            "iqa": iqa,
            "cohorts": _run("cohorts", learner_id=uid).scalars().all(),
        },
    }
