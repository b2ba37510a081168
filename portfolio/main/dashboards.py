"""What each dashboard shows, in a fixed number of queries however much data there is."""

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.casework.models import Case, CaseStatus
from portfolio.evidence.models import Portfolio, Submission, SubmissionStatus
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.reads import rows as read_rows
from portfolio.roles import Role

RECENT_EXERCISES = 10
#: The admin dashboard's stages of a learner in an exercise, in order.
PROGRESS_STAGES = (
    ("not_started", "Not started"),
    ("working", "Working"),
    ("submitted", "Submitted"),
    ("returned", "Returned to resubmit"),
    ("signed_off", "Signed off"),
)


@dataclass
class ExerciseProgress:
    """One recent exercise on the admin dashboard: its cohort's learners by stage, and how many
    are overdue (the exercise has closed and they have not submitted a version since starting,
    or never started)."""

    exercise: Exercise
    counts: dict[str, int]
    overdue: int

    @property
    def size(self) -> int:
        return sum(self.counts.values())


def _recent_first(columns) -> tuple:
    """The order of the dashboard's exercises: those that have opened (running, then recently
    closed) before those still to open, each by close date, latest first. By close date alone,
    a centre that sets its exercises ahead saw ten not yet open and none of those running.
    Takes `today`."""
    return (
        columns.opens_on > sa.bindparam("today", type_=sa.Date),
        columns.closes_on.desc(),
        columns.id.desc(),
    )


@functools.cache
def _progress_statement() -> sa.Select:
    """Learners by stage for each of a centre's ten most recent exercises, counted in the
    database: (exercise id, stage, learners). Built once; takes `centre_id` and `today`.

    A learner has started when they have an open case of the exercise; they have submitted
    when their newest portfolio version came at or after that case began (the live board's
    rule), then returned to resubmit or signed off as that version is."""
    exercises, members = Exercise.__table__, cohort_members
    recent = (
        sa.select(exercises.c.id, exercises.c.cohort_id)
        .where(exercises.c.centre_id == sa.bindparam("centre_id"))
        .order_by(*_recent_first(exercises.c))
        .limit(RECENT_EXERCISES)
        .cte("recent")
    )
    # Deactivated learners are neither working nor overdue: they are left out.
    users = User.__table__
    learners = (
        sa.select(recent.c.id.label("exercise_id"), members.c.user_id.label("learner_id"))
        .join(members, members.c.cohort_id == recent.c.cohort_id)
        .join(users, sa.and_(users.c.id == members.c.user_id, users.c.active.is_(True)))
        .cte("learners")
    )
    started = (
        sa.select(Case.exercise_id, Case.learner_id, sa.func.max(Case.created_at).label("at"))
        .where(
            Case.exercise_id.in_(sa.select(recent.c.id)),
            Case.status == CaseStatus.OPEN,
        )
        .group_by(Case.exercise_id, Case.learner_id)
        .subquery("started")
    )
    # A learner who has started is placed by their newest version, looked up through the
    # indexes only for them (a correlated subquery inside the CASE runs only when reached): a
    # window over every learner's versions, joined back, cost ten times more on SQLite.
    placed_by_newest = (
        sa.select(
            sa.case(
                (Submission.submitted_at < started.c.at, "working"),
                (Submission.status == SubmissionStatus.SUBMITTED, "submitted"),
                (Submission.status == SubmissionStatus.RETURNED, "returned"),
                else_="signed_off",
            )
        )
        .join(Portfolio, Portfolio.id == Submission.portfolio_id)
        .where(Portfolio.learner_id == learners.c.learner_id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(1)
        .correlate(learners, started)
        .scalar_subquery()
    )
    stage = sa.case(
        (started.c.at.is_(None), "not_started"),
        else_=sa.func.coalesce(placed_by_newest, "working"),
    ).label("stage")
    staged = (
        sa.select(learners.c.exercise_id, stage)
        .select_from(learners)
        .outerjoin(
            started,
            sa.and_(
                started.c.exercise_id == learners.c.exercise_id,
                started.c.learner_id == learners.c.learner_id,
            ),
        )
        .subquery("staged")
    )
    # Grouped outside: PostgreSQL cannot match a GROUP BY CASE whose literals are parameters.
    return sa.select(staged.c.exercise_id, staged.c.stage, sa.func.count()).group_by(
        staged.c.exercise_id, staged.c.stage
    )


@functools.cache
def _recent_exercises() -> sa.Select:
    """The centre's (:centre_id) most recent exercises with their cohorts, as of :today;
    built once."""
    return (
        sa.select(Exercise)
        .where(Exercise.centre_id == sa.bindparam("centre_id"))
        .options(so.joinedload(Exercise.cohort))
        .order_by(*_recent_first(Exercise.__table__.c))
        .limit(RECENT_EXERCISES)
    )


def admin_context(admin: User, today: date) -> dict:
    """The centre's ten most recent exercises with their cohorts' learners by stage and how
    many are overdue: two queries, whatever the centre's size."""
    exercises = db.session.scalars(
        _recent_exercises(), {"centre_id": admin.centre_id, "today": today}
    ).all()
    counts: dict[int, dict[str, int]] = {
        e.id: dict.fromkeys(dict(PROGRESS_STAGES), 0) for e in exercises
    }
    found = db.session.execute(
        _progress_statement(), {"centre_id": admin.centre_id, "today": today}
    )
    for exercise_id, stage, n in found:
        if exercise_id in counts:  # an exercise set between the two queries waits
            counts[exercise_id][stage] = n
    rows = []
    for exercise in exercises:
        mine = counts[exercise.id]
        closed = today > exercise.closes_on
        overdue = mine["not_started"] + mine["working"] if closed else 0
        rows.append(ExerciseProgress(exercise, mine, overdue))
    return {"exercise_rows": rows, "progress_stages": PROGRESS_STAGES, "today": today}


@functools.cache
def _centre_counts_statement() -> sa.Select:
    """Active users of :centre_id by role, with how many learners lack an assessor or IQA
    and the centre's cohorts; built once."""
    users = User.__table__
    unallocated = sa.func.sum(
        sa.case(
            (
                sa.and_(
                    users.c.role == Role.LEARNER,
                    sa.or_(users.c.assessor_id.is_(None), users.c.iqa_id.is_(None)),
                ),
                1,
            ),
            else_=0,
        )
    )
    centre_id = sa.bindparam("centre_id")
    cohorts = (
        sa.select(sa.func.count(Cohort.__table__.c.id))
        .where(Cohort.__table__.c.centre_id == centre_id)
        .scalar_subquery()
    )
    return (
        sa.select(users.c.role, sa.func.count(), unallocated, cohorts)
        .where(users.c.centre_id == centre_id, users.c.active.is_(True))
        .group_by(users.c.role)
    )


def centre_counts(centre_id: int) -> dict:
    """Active users by role, learners still lacking an assessor or IQA, and cohorts: one
    statement."""
    rows = read_rows(_centre_counts_statement(), {"centre_id": centre_id}).all()
    return {
        "role_counts": {role: n for role, n, _, _ in rows},
        "unallocated": sum(u or 0 for _, _, u, _ in rows),
        "cohort_count": rows[0][3] if rows else 0,  # the admin asking is an active user
    }
