"""What each dashboard shows, in a fixed number of queries however much data there is."""

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Centre, Cohort, User, cohort_members
from portfolio.casework.clock import deadline_status
from portfolio.casework.models import Case, CaseStatus
from portfolio.evidence.models import Portfolio, Submission, SubmissionStatus
from portfolio.evidence.queries import coverage_of, portfolios_of
from portfolio.exercises.models import Exercise
from portfolio.exercises.queries import exercises_visible_to
from portfolio.extensions import db
from portfolio.library.queries import spec_of
from portfolio.roles import Role

RECENT_EXERCISES = 10
#: The admin dashboard's stages of a learner in an exercise, in order.
PROGRESS_STAGES = (
    ("not_started", "Not started"),
    ("working", "Working"),
    ("submitted", "Submitted"),
    ("assessed", "Assessed"),
)


def learner_context(learner: User, today: date) -> dict:
    """Exercises set for the learner, their open cases with the clock, and progress by
    learning outcome."""
    exercises = db.session.scalars(exercises_visible_to(learner).limit(20)).unique().all()
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.learner_id == learner.id, Case.status == CaseStatus.OPEN)
        .options(so.joinedload(Case.scenario), so.joinedload(Case.version))
        .order_by(Case.updated_at.desc())
        .limit(10)
    ).all()
    open_cases = []
    for case in cases:
        spec = spec_of(case.version)
        final = next((d for d in deadline_status(spec, case.hours) if d.deadline.final), None)
        open_cases.append((case, final))
    progress = [(p, coverage_of(p)) for p in portfolios_of(learner)[:3]]
    return {
        "exercises": exercises,
        "open_cases": open_cases,
        "progress": progress,
        "today": today,
        "support": support_of(learner),
    }


@functools.cache
def _support_statements() -> tuple[sa.Select, sa.Select]:
    """A learner's centre, assessor and IQA names, and their cohorts' names: built once."""
    users, centres, cohorts = User.__table__, Centre.__table__, Cohort.__table__
    assessor, iqa = users.alias("assessor"), users.alias("iqa")
    names = (
        sa.select(centres.c.name, assessor.c.full_name, iqa.c.full_name)
        .select_from(users)
        .join(centres, centres.c.id == users.c.centre_id)
        .outerjoin(assessor, assessor.c.id == users.c.assessor_id)
        .outerjoin(iqa, iqa.c.id == users.c.iqa_id)
        .where(users.c.id == sa.bindparam("user_id"))
    )
    groups = (
        sa.select(cohorts.c.name)
        .join(cohort_members, cohort_members.c.cohort_id == cohorts.c.id)
        .where(cohort_members.c.user_id == sa.bindparam("user_id"))
        .order_by(cohorts.c.name)
    )
    return names, groups


def support_of(learner: User) -> dict:
    """Who supports the learner, in two queries rather than four lazy loads."""
    names, groups = _support_statements()
    params = {"user_id": learner.id}
    centre, assessor, iqa = db.session.execute(names, params).one()
    cohorts = db.session.scalars(groups, params).all()
    return {"centre": centre, "assessor": assessor, "iqa": iqa, "cohorts": cohorts}


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


@functools.cache
def _progress_statement() -> sa.Select:
    """Learners by stage for each of a centre's ten most recent exercises, counted in the
    database: (exercise id, stage, learners). Built once; takes `centre_id`.

    A learner has started when they have an open case of the exercise; they have submitted
    when their newest portfolio version came at or after that case began (the live board's
    rule), and it is assessed once that version is returned or signed off."""
    exercises, members = Exercise.__table__, cohort_members
    recent = (
        sa.select(exercises.c.id, exercises.c.cohort_id)
        .where(exercises.c.centre_id == sa.bindparam("centre_id"))
        .order_by(exercises.c.closes_on.desc(), exercises.c.id.desc())
        .limit(RECENT_EXERCISES)
        .cte("recent")
    )
    learners = (
        sa.select(recent.c.id.label("exercise_id"), members.c.user_id.label("learner_id"))
        .join(members, members.c.cohort_id == recent.c.cohort_id)
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
                else_="assessed",
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


def admin_context(admin: User, today: date) -> dict:
    """The centre's ten most recent exercises with their cohorts' learners by stage and how
    many are overdue: two queries, whatever the centre's size."""
    exercises = db.session.scalars(
        sa.select(Exercise)
        .where(Exercise.centre_id == admin.centre_id)
        .options(so.joinedload(Exercise.cohort))
        .order_by(Exercise.closes_on.desc(), Exercise.id.desc())
        .limit(RECENT_EXERCISES)
    ).all()
    counts: dict[int, dict[str, int]] = {
        e.id: dict.fromkeys(dict(PROGRESS_STAGES), 0) for e in exercises
    }
    found = db.session.execute(_progress_statement(), {"centre_id": admin.centre_id})
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


def centre_counts(centre_id: int) -> dict:
    """Active users by role, learners still lacking an assessor or IQA, and cohorts: one
    statement."""
    unallocated = sa.func.sum(
        sa.case(
            (
                sa.and_(
                    User.role == Role.LEARNER,
                    sa.or_(User.assessor_id.is_(None), User.iqa_id.is_(None)),
                ),
                1,
            ),
            else_=0,
        )
    )
    cohorts = (
        sa.select(sa.func.count(Cohort.id)).where(Cohort.centre_id == centre_id).scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(User.role, sa.func.count(), unallocated, cohorts)
        .where(User.centre_id == centre_id, User.active.is_(True))
        .group_by(User.role)
    ).all()
    return {
        "role_counts": {role: n for role, n, _, _ in rows},
        "unallocated": sum(u or 0 for _, _, u, _ in rows),
        "cohort_count": rows[0][3] if rows else 0,  # the admin asking is an active user
    }
