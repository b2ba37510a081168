"""What each dashboard shows, in a fixed number of queries however much data there is."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User, cohort_members
from portfolio.casework.clock import deadline_status
from portfolio.casework.models import Case, CaseStatus
from portfolio.evidence.queries import portfolios_of, tracking_grid
from portfolio.exercises.models import Exercise
from portfolio.exercises.queries import exercises_visible_to
from portfolio.extensions import db
from portfolio.library.queries import spec_of


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
    progress = [(p, tracking_grid(p)) for p in portfolios_of(learner)[:3]]
    return {
        "exercises": exercises,
        "open_cases": open_cases,
        "progress": progress,
        "today": today,
    }


def admin_context(admin: User, today: date) -> dict:
    """Recent exercises with how many of each cohort have started, and which are overdue."""
    exercises = db.session.scalars(
        sa.select(Exercise)
        .where(Exercise.centre_id == admin.centre_id)
        .options(so.joinedload(Exercise.cohort))
        .order_by(Exercise.closes_on.desc())
        .limit(10)
    ).all()
    ids = [e.id for e in exercises]
    started = dict(
        db.session.execute(
            sa.select(Case.exercise_id, sa.func.count(sa.distinct(Case.learner_id)))
            .where(Case.exercise_id.in_(ids))
            .group_by(Case.exercise_id)
        ).all()
    )
    sizes = dict(
        db.session.execute(
            sa.select(cohort_members.c.cohort_id, sa.func.count())
            .where(cohort_members.c.cohort_id.in_([e.cohort_id for e in exercises]))
            .group_by(cohort_members.c.cohort_id)
        ).all()
    )
    rows = []
    for exercise in exercises:
        size = sizes.get(exercise.cohort_id, 0)
        begun = started.get(exercise.id, 0)
        overdue = size - begun if today > exercise.closes_on else 0
        rows.append((exercise, size, begun, overdue))
    return {"exercise_rows": rows, "today": today}
