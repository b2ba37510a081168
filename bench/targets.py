"""Print, as JSON, what the page benchmark needs from the database it runs on: the app's URL
rules, an e-mail to sign in with for each role, and the IDs its pages take. The learner is one
with a long open case and a submitted portfolio; the staff are that learner's own."""

import json

import sqlalchemy as sa

from portfolio import create_app
from portfolio.accounts.models import Centre, User, cohort_members
from portfolio.casework.models import Case, CaseStatus
from portfolio.demo.large import LARGE_CENTRE
from portfolio.evidence.models import Portfolio, Submission
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.review.models import SamplingPlan
from portfolio.roles import Role


def targets() -> dict:
    centre = db.session.scalar(sa.select(Centre.id).where(Centre.name == LARGE_CENTRE))
    submitted = sa.select(Portfolio.learner_id).join(Submission).group_by(Portfolio.learner_id)
    case = db.session.scalar(
        sa.select(Case)
        .join(User, User.id == Case.learner_id)
        .where(
            User.centre_id == centre,
            Case.status == CaseStatus.OPEN,
            Case.trail_count >= 20,
            User.assessor_id.is_not(None),
            User.iqa_id.is_not(None),
            Case.learner_id.in_(submitted),
        )
        .order_by(Case.learner_id, Case.id)
        .limit(1)
    )
    learner = db.session.get(User, case.learner_id)
    cohort = db.session.scalar(
        sa.select(cohort_members.c.cohort_id).where(cohort_members.c.user_id == learner.id)
    )
    exercise = db.session.scalar(
        sa.select(Exercise.id)
        .where(Exercise.cohort_id == cohort, Exercise.opens_on <= sa.func.current_date())
        .order_by(Exercise.opens_on.desc())
        .limit(1)
    )
    admin = db.session.scalar(
        sa.select(User.email)
        .where(User.centre_id == centre, User.role == Role.CENTRE_ADMIN)
        .order_by(User.id)
    )
    return {
        "emails": {
            "learner": learner.email,
            "assessor": learner.assessor.email,
            "iqa": learner.iqa.email,
            "admin": admin,
        },
        "ids": {
            "portfolio_id": db.session.scalar(
                sa.select(Portfolio.id).where(Portfolio.learner_id == learner.id)
            ),
            "case_id": case.id,
            "cohort_id": cohort,
            "exercise_id": exercise,
            "plan_id": db.session.scalar(
                sa.select(SamplingPlan.id).where(SamplingPlan.iqa_id == learner.iqa_id)
            ),
        },
    }


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        found = targets()
    found["rules"] = sorted(r.rule for r in app.url_map.iter_rules())
    print(json.dumps(found))
