"""Authorization in one place: role checks, object predicates and scoped queries.

Views never write their own `if user.role == ...` checks: they call `require(pred, obj)`, use
`role_required(...)`, or load objects through a scoped query so that another centre's rows are
simply not found (404).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from portfolio.accounts.models import Cohort, User
from portfolio.library.models import LibraryScenario
from portfolio.roles import Role

__all__ = ["Role", "require", "role_required"]


def role_required(*roles: Role) -> Callable:
    """Decorator: the signed-in user must hold one of these roles, else 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require(predicate: Callable[..., bool], *objs: Any) -> None:
    """Abort with 403 unless predicate(current_user, *objs) holds."""
    if not predicate(current_user, *objs):
        abort(403)


def same_centre(user: User, centre_id: int | None) -> bool:
    """True when the user belongs to that centre (site admins belong to none)."""
    return user.centre_id is not None and user.centre_id == centre_id


# --- predicates -------------------------------------------------------------------------


def can_manage_centre(user: User, centre_id: int | None) -> bool:
    """Centre admins run their own centre's accounts, cohorts and exercises."""
    return user.role == Role.CENTRE_ADMIN and same_centre(user, centre_id)


def can_manage_user(user: User, target: User) -> bool:
    """A centre admin manages the accounts of their own centre."""
    return can_manage_centre(user, target.centre_id) and target.role != Role.SITE_ADMIN


def can_manage_cohort(user: User, cohort: Cohort) -> bool:
    return can_manage_centre(user, cohort.centre_id)


def can_view_learner(user: User, learner: User) -> bool:
    """Who may see a learner's work: the learner, their assessor and IQA, and their centre's
    admins. Nobody from another centre, ever."""
    if learner.role != Role.LEARNER or not same_centre(user, learner.centre_id):
        return False
    if user.id == learner.id or user.role == Role.CENTRE_ADMIN:
        return True
    if user.role == Role.ASSESSOR:
        return learner.assessor_id == user.id
    if user.role == Role.IQA:
        return learner.iqa_id == user.id
    return False


def can_assess_learner(user: User, learner: User) -> bool:
    """Only the learner's allocated assessor marks their work."""
    return (
        user.role == Role.ASSESSOR
        and same_centre(user, learner.centre_id)
        and learner.assessor_id == user.id
    )


def can_quality_assure_learner(user: User, learner: User) -> bool:
    """Only the learner's allocated IQA samples their assessments."""
    return (
        user.role == Role.IQA and same_centre(user, learner.centre_id) and learner.iqa_id == user.id
    )


def can_manage_plan(user: User, plan) -> bool:
    """An IQA runs their own sampling plans, and reviews the samples those plans chose."""
    return user.role == Role.IQA and user.id == plan.iqa_id and same_centre(user, plan.centre_id)


def can_review_sample(user: User, sample) -> bool:
    """The sample's plan belongs to this IQA."""
    return can_manage_plan(user, sample.plan)


def can_respond_to_review(user: User, review) -> bool:
    """Only the assessor whose assessment was sampled reads the IQA's verdicts and answers."""
    return (
        user.role == Role.ASSESSOR
        and user.id == review.sample.assessment.assessor_id
        and same_centre(user, review.sample.plan.centre_id)
    )


def can_standardise(user: User, submission) -> bool:
    """The learner's IQA may ask other assessors to mark a submission, and compare them."""
    return can_quality_assure_learner(user, submission.portfolio.learner)


STAFF = (Role.CENTRE_ADMIN, Role.ASSESSOR, Role.IQA)


def can_view_scenario(user: User, scenario: LibraryScenario) -> bool:
    """Bundled scenarios are for everyone at a centre; a centre's own are for that centre, and
    its learners see them only once published."""
    if scenario.centre_id is not None and not same_centre(user, scenario.centre_id):
        return False
    if user.role == Role.LEARNER:
        return scenario.published
    return True


def can_preview_guidance(user: User, scenario: LibraryScenario) -> bool:
    """Trainers, assessors and IQAs may read the assessor guidance; learners never."""
    return user.role in STAFF + (Role.SITE_ADMIN,) and can_view_scenario(user, scenario)


def can_manage_scenario(user: User, scenario: LibraryScenario) -> bool:
    """A centre admin manages their centre's uploaded scenarios; bundled ones are read-only."""
    return scenario.centre_id is not None and can_manage_centre(user, scenario.centre_id)


def can_view_case(user: User, case) -> bool:
    """A case is seen by whoever may see its learner's work."""
    return can_view_learner(user, case.learner)


def can_work_case(user: User, case) -> bool:
    """Only the learner works their own case."""
    return user.id == case.learner_id and user.role == Role.LEARNER


def can_view_portfolio(user: User, portfolio) -> bool:
    """A portfolio is seen by whoever may see its learner's work."""
    return can_view_learner(user, portfolio.learner)


def can_edit_portfolio(user: User, portfolio) -> bool:
    """Only the learner maps, uploads and submits."""
    return user.id == portfolio.learner_id and user.role == Role.LEARNER


def can_map_item(user: User, item) -> bool:
    """The learner maps their own evidence; an assessor's record (professional discussion,
    observation, questioning) is mapped by the assessor who wrote it, while still allocated."""
    if item.kind == "assessor":
        return item.author_id == user.id and can_assess_learner(user, item.portfolio.learner)
    return can_edit_portfolio(user, item.portfolio)


def can_mark_submission(user: User, submission, assessment=None) -> bool:
    """The learner's allocated assessor marks a submission; another assessor of the centre
    marks it only through a standardisation assessment the IQA gave them (`assessment`)."""
    learner = submission.portfolio.learner
    if user.role != Role.ASSESSOR or not same_centre(user, learner.centre_id):
        return False
    if learner.assessor_id == user.id:
        return True
    return (
        assessment is not None
        and assessment.assessor_id == user.id
        and assessment.submission_id == submission.id
        and assessment.kind == "standardisation"
    )


# --- scoped queries ---------------------------------------------------------------------


def users_managed_by(user: User) -> sa.Select:
    """The users a centre admin may manage; empty for anyone else."""
    if user.role != Role.CENTRE_ADMIN:
        return sa.select(User).where(sa.false())
    return sa.select(User).where(User.centre_id == user.centre_id)


def cohorts_managed_by(user: User) -> sa.Select:
    """The cohorts a centre admin may manage; empty for anyone else."""
    if user.role != Role.CENTRE_ADMIN:
        return sa.select(Cohort).where(sa.false())
    return sa.select(Cohort).where(Cohort.centre_id == user.centre_id)


def learners_visible_to(user: User) -> sa.Select:
    """The learners whose work this user may see (see can_view_learner)."""
    query = sa.select(User).where(User.role == Role.LEARNER, User.centre_id == user.centre_id)
    if user.centre_id is None:
        return query.where(sa.false())
    match user.role:
        case Role.CENTRE_ADMIN:
            return query
        case Role.ASSESSOR:
            return query.where(User.assessor_id == user.id)
        case Role.IQA:
            return query.where(User.iqa_id == user.id)
        case Role.LEARNER:
            return query.where(User.id == user.id)
    return query.where(sa.false())
