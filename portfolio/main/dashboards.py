"""What each dashboard shows, in a fixed number of queries however much data there is."""

import functools
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Centre, Cohort, User, cohort_members
from portfolio.casework.clock import deadline_status
from portfolio.casework.models import Case, CaseStatus
from portfolio.evidence.queries import coverage_of, portfolios_of
from portfolio.exercises.models import Exercise
from portfolio.exercises.queries import exercises_visible_to
from portfolio.extensions import db
from portfolio.library.queries import spec_of
from portfolio.roles import Role


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


def admin_context(admin: User, today: date) -> dict:
    """Recent exercises with how many of each cohort have started, and which are overdue: one
    statement."""
    started = (
        sa.select(sa.func.count(sa.distinct(Case.learner_id)))
        .where(Case.exercise_id == Exercise.id)
        .scalar_subquery()
    )
    size = (
        sa.select(sa.func.count())
        .where(cohort_members.c.cohort_id == Exercise.cohort_id)
        .scalar_subquery()
    )
    # The ten first, then their counts: counting for every exercise before sorting cost
    # more than the rest of the page on a centre with hundreds of exercises.
    recent = (
        sa.select(Exercise.id)
        .where(Exercise.centre_id == admin.centre_id)
        .order_by(Exercise.closes_on.desc(), Exercise.id.desc())
        .limit(10)
    )
    found = db.session.execute(
        sa.select(Exercise, size, started)
        .where(Exercise.id.in_(recent.scalar_subquery()))
        .options(so.joinedload(Exercise.cohort))
        .order_by(Exercise.closes_on.desc(), Exercise.id.desc())
    ).all()
    rows = []
    for exercise, size, begun in found:
        overdue = size - begun if today > exercise.closes_on else 0
        rows.append((exercise, size, begun, overdue))
    return {"exercise_rows": rows, "today": today}


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
