"""Reads for exercises: what a user may see, and the live board."""

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_sqlalchemy.pagination import Pagination

from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.accounts.queries import cohort_member_rows
from portfolio.casework.clock import (
    DeadlineStatus,
    SimTime,
    deadline_status,
    remedies_offered,
    settled_by_remedy,
)
from portfolio.casework.models import Case, CaseStatus, TrailEvent
from portfolio.casework.queries import correspondence_rounds
from portfolio.casework.services import sending_closed
from portfolio.casework.trail import TrailKind
from portfolio.evidence.models import (
    EvidenceItem,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.library.queries import scenarios_visible_to, spec_by_key, spec_of
from portfolio.pagination import paginate
from portfolio.reads import rows as read_rows
from portfolio.roles import Role
from portfolio.scenarios.schema import Deadline

BOARD_STAGES = (
    ("not_started", "Not started"),
    ("referral", "Referral"),
    ("investigation", "Investigation"),
    ("resolution", "Resolution"),
    ("analysis", "Analysis"),
    ("evidence", "Evidence"),
    ("submitted", "Submitted"),
    # The newest version's outcome: returned is back at work to resubmit, signed off is done.
    ("returned", "Returned to resubmit"),
    ("signed_off", "Signed off"),
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


@functools.cache
def _exercise_list() -> sa.Select:
    """Exercises with their cohort's and scenario's names, newest closing first, as rows:
    built once."""
    exercises, cohorts, versions = Exercise.__table__, Cohort.__table__, ScenarioVersion.__table__
    return (
        sa.select(
            exercises.c.id,
            exercises.c.title,
            exercises.c.opens_on,
            exercises.c.closes_on,
            cohorts.c.name.label("cohort_name"),
            versions.c.id.label("version_id"),
            versions.c.number.label("version_number"),
            versions.c.content_hash,
        )
        .select_from(exercises)
        .join(cohorts, cohorts.c.id == exercises.c.cohort_id)
        .join(versions, versions.c.id == exercises.c.scenario_version_id)
        .order_by(exercises.c.closes_on.desc(), exercises.c.id.desc())
    )


def version_title(row) -> str:
    """The scenario's title as an exercise_list row's pinned version has it (parsed once per
    process for each version, so a page of rows reads no version data once warm)."""
    return spec_by_key(row.version_id, row.content_hash).title


#: The exercises page's filter: value -> label.
EXERCISE_STATUSES = {"open": "Open now", "upcoming": "Not open yet", "closed": "Closed"}


def exercise_list(
    user: User, *, status: str = "", today: date | None = None
) -> tuple[sa.Select, dict]:
    """The exercises page's rows (id, title, opens_on, closes_on, cohort_name, and the pinned
    version's version_id, version_number and content_hash, for `version_title`) and the
    statement's parameters: the same scope as exercises_visible_to; with `status` (a
    key of EXERCISE_STATUSES) only those open on `today`, not yet open, or closed. Latest
    closing first, so without the filter a centre that plans ahead finds its open exercises
    pages behind its upcoming ones. The statement is built once for each status and scope."""
    if user.centre_id is None:
        scope = "none"
    else:
        scope = "learner" if user.role == Role.LEARNER else "centre"
    params = {"today": today or date.today(), "centre_id": user.centre_id, "user_id": user.id}
    return _exercise_list_for(status if status in EXERCISE_STATUSES else "", scope), params


@functools.cache
def _exercise_list_for(status: str, scope: str) -> sa.Select:
    exercises = Exercise.__table__
    query = _exercise_list()
    today = sa.bindparam("today", type_=exercises.c.opens_on.type)
    if status == "open":
        query = query.where(exercises.c.opens_on <= today, exercises.c.closes_on >= today)
    elif status == "upcoming":
        query = query.where(exercises.c.opens_on > today)
    elif status == "closed":
        query = query.where(exercises.c.closes_on < today)
    if scope == "none":
        return query.where(sa.false())
    if scope == "learner":
        mine = sa.select(cohort_members.c.cohort_id).where(
            cohort_members.c.user_id == sa.bindparam("user_id")
        )
        return query.where(exercises.c.cohort_id.in_(mine))
    return query.where(exercises.c.centre_id == sa.bindparam("centre_id"))


@dataclass
class BoardRow:
    learner: sa.Row  # id, full_name, email, active, role, centre_id, assessor_id, iqa_id
    case_id: int | None
    stage: str
    simulated: str
    #: Every deadline of the scenario where it stands on the learner's simulated clock, in
    #: the scenario's order (the board's columns); empty before the case starts.
    deadlines: list[DeadlineStatus]
    overdue: bool


@dataclass
class Board:
    """One page of the live board, and how many of the whole cohort are at each stage."""

    rows: list[BoardRow]
    counts: dict[str, int]
    page: Pagination | None = None
    #: The scenario version's regulatory deadlines, in order: one column each.
    deadlines: tuple[Deadline, ...] = ()
    #: How many of the cohort's learners are deactivated (and so left off the board).
    deactivated: int = 0
    #: How many are overdue, across the whole cohort (the dashboard's count): once the
    #: exercise has closed, those who have not submitted since starting, or never started.
    overdue: int = 0


# The trail kinds that place a case at a stage, most advanced first.
_RESOLUTION_KINDS = (
    "customer_replied",
    "response_sent",
    "letter_saved",
    "options_saved",
    "remedy_saved",
    "authorisation_requested",
)
_INVESTIGATION_KINDS = ("document_requested", "question_asked")


def _active_members() -> sa.Select:
    """The IDs of the cohort `:cohort_id`'s active learners: a deactivated learner is neither
    working on the exercise nor overdue, so the board leaves them out."""
    users = User.__table__
    return (
        sa.select(cohort_members.c.user_id)
        .join(users, users.c.id == cohort_members.c.user_id)
        .where(cohort_members.c.cohort_id == sa.bindparam("cohort_id"), users.c.active.is_(True))
    )


@functools.cache
def _board_members() -> tuple[sa.Select, sa.Select]:
    """The board's learners: the cohort's active members by name as rows (id, full_name,
    email, active, and what `authz.can_view_learner` reads: role, centre_id, assessor_id,
    iqa_id), and the COUNT of its deactivated members. Built once; take `cohort_id`."""
    users = User.__table__
    active = (
        cohort_member_rows()
        .add_columns(users.c.role, users.c.centre_id, users.c.assessor_id, users.c.iqa_id)
        .where(users.c.active.is_(True))
    )
    deactivated = (
        sa.select(sa.func.count())
        .select_from(cohort_members)
        .join(users, users.c.id == cohort_members.c.user_id)
        .where(cohort_members.c.cohort_id == sa.bindparam("cohort_id"), users.c.active.is_(False))
    )
    return active, deactivated


@functools.cache
def _progress_statements() -> tuple[sa.Select, sa.CompoundSelect, sa.Select]:
    """The three statements behind the stage counts, built once: they are immutable, and
    building them (with their subqueries) cost more than running them. They take the
    parameters `exercise_id` and `cohort_id`."""
    members = _active_members().scalar_subquery()
    mine = sa.and_(
        Case.exercise_id == sa.bindparam("exercise_id"),
        Case.status == CaseStatus.OPEN,
        Case.learner_id.in_(members),
    )
    rank = sa.case(
        (TrailEvent.kind.in_(_RESOLUTION_KINDS), 2),
        (TrailEvent.kind.in_(_INVESTIGATION_KINDS), 1),
        else_=0,
    )
    # When the final response was first sent settles the final deadline (None while unsent).
    sent = sa.func.min(
        sa.case((TrailEvent.kind == TrailKind.RESPONSE_SENT.value, TrailEvent.sim_hours))
    ).label("sent")
    cases = (
        sa.select(Case.id, Case.learner_id, Case.created_at, Case.hours, sa.func.max(rank), sent)
        .outerjoin(TrailEvent, TrailEvent.case_id == Case.id)
        .where(mine)
        .group_by(Case.id, Case.learner_id, Case.created_at, Case.hours)
    )
    from portfolio.improvement.models import SavedAnalysis

    # A subquery rather than an IN list of every case ID, which costs more to bind than to run.
    case_ids = sa.select(Case.id).where(mine).scalar_subquery()
    done = sa.union(
        sa.select(SavedAnalysis.case_id, sa.literal("analysis").label("stage")).where(
            SavedAnalysis.case_id.in_(case_ids)
        ),
        sa.select(EvidenceItem.case_id, sa.literal("evidence").label("stage"))
        .join(Mapping)
        .where(EvidenceItem.case_id.in_(case_ids), Mapping.confirmed.is_(True)),
    )
    newest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .join(Portfolio, Portfolio.id == Submission.portfolio_id)
        .where(Portfolio.learner_id.in_(members))
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    latest = (
        sa.select(Portfolio.learner_id, Submission.status, Submission.submitted_at)
        .join(Submission, Submission.portfolio_id == Portfolio.id)
        .join(
            newest,
            sa.and_(
                newest.c.portfolio_id == Submission.portfolio_id,
                newest.c.number == Submission.number,
            ),
        )
        .order_by(Submission.submitted_at)
    )
    return cases, done, latest


def _progress(exercise: Exercise) -> tuple[list[sa.Row], dict[int, str]]:
    """Every open case of the exercise (id, learner, hours) and its learner's stage, from
    column-only queries whose number does not depend on the cohort's size: cases with the
    furthest trail kind of each, analyses and confirmed mappings, latest submissions."""
    cases_of, done, newest = _progress_statements()
    params = {"exercise_id": exercise.id, "cohort_id": exercise.cohort_id}
    cases = read_rows(cases_of, params).all()
    reached: dict[int, set[str]] = {}
    for case_id, stage in read_rows(done, params):
        reached.setdefault(case_id, set()).add(stage)
    latest = {
        learner_id: (status, submitted_at)
        for learner_id, status, submitted_at in read_rows(newest, params)
    }
    stages = {}
    for case_id, learner_id, created_at, _hours, furthest, _sent in cases:
        stage = ("referral", "investigation", "resolution")[furthest or 0]
        for later in sorted(reached.get(case_id, ()), key=_ORDER.get):
            stage = _later(stage, later)
        submitted = latest.get(learner_id)
        if submitted and submitted[1] >= created_at:
            stage = _later(stage, SubmissionStatus(submitted[0]).value)
        stages[learner_id] = stage
    return cases, stages


def live_board(exercise: Exercise, today: date, *, page: bool = False) -> Board:
    """Where each learner of the cohort is in the exercise. The stage counts cover the whole
    cohort; the rows are one page of learners by name (the request's page) when `page`, else
    every learner. A fixed number of queries however large the cohort."""
    (members, deactivated), params = _board_members(), {"cohort_id": exercise.cohort_id}
    pagination = paginate(members, rows=True, params=params) if page else None
    learners = pagination.items if pagination else db.session.execute(members, params).all()
    total = pagination.total if pagination else len(learners)
    cases, stages = _progress(exercise)
    hours = {c.learner_id: (c.id, c.hours, c.sent) for c in cases}
    spec = spec_of(exercise.version)
    closed = today > exercise.closes_on
    # Deadlines a remedy meets need the responses as sent: one query for the page's cases
    # that have sent one (a case with none has nothing to read).
    rounds = (
        correspondence_rounds(
            [hours[r.id][0] for r in learners if r.id in hours and hours[r.id][2] is not None]
        )
        if settled_by_remedy(spec)
        else {}
    )
    rows = []
    for learner in learners:
        stage = stages.get(learner.id, "not_started")
        if learner.id not in hours:
            rows.append(BoardRow(learner, None, stage, "", [], closed))
            continue
        case_id, spent, sent = hours[learner.id]
        rows.append(
            BoardRow(
                learner,
                case_id,
                stage,
                str(SimTime.from_hours(spec.clock, spent)),
                deadline_status(
                    spec,
                    spent,
                    sent_hours=sent,
                    offered=remedies_offered(rounds.get(case_id, ())),
                    sending_over=sending_closed(rounds.get(case_id, [])),
                ),
                closed and _ORDER[stage] < _ORDER["submitted"],
            )
        )
    counts = dict.fromkeys(_ORDER, 0)
    for stage in stages.values():
        counts[stage] += 1
    counts["not_started"] = total - len(stages)
    left_out = db.session.scalar(deactivated, params)
    late = sum(n for k, n in counts.items() if _ORDER[k] < _ORDER["submitted"]) if closed else 0
    return Board(rows, counts, pagination, tuple(spec.regime.deadlines), left_out, late)


def _later(a: str, b: str) -> str:
    return a if _ORDER[a] >= _ORDER[b] else b


def assignable_scenarios(user: User) -> tuple[list[LibraryScenario], list[ScenarioVersion]]:
    """The published scenarios the user's centre may set (bundled and its own), by title, and
    every published version of them (never a draft), newest first within each scenario: two
    queries, the versions' content left unloaded."""
    scenarios = list(
        db.session.scalars(scenarios_visible_to(user).where(LibraryScenario.published.is_(True)))
    )
    order = {s.id: n for n, s in enumerate(scenarios)}
    versions = db.session.scalars(
        sa.select(ScenarioVersion).where(
            ScenarioVersion.scenario_id.in_(list(order)), ScenarioVersion.published_at.is_not(None)
        )
    ).all()
    versions = sorted(versions, key=lambda v: (order[v.scenario_id], -v.number))
    return scenarios, versions


def centre_cohorts(user: User) -> list[Cohort]:
    """The cohorts of the user's centre, by name."""
    return list(
        db.session.scalars(
            sa.select(Cohort).where(Cohort.centre_id == user.centre_id).order_by(Cohort.name)
        )
    )
