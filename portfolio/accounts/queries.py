"""Reads for accounts, scoped to what a user may see."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Centre, Cohort, User, cohort_members
from portfolio.extensions import db
from portfolio.roles import Role


def centre_users(centre_id: int, *, role: Role | None = None, q: str = "") -> sa.Select:
    """The users of one centre by name, as rows of the columns the list shows, with their
    assessor's and IQA's names (plain rows: far cheaper to load than objects)."""
    assessor, iqa = so.aliased(User), so.aliased(User)
    query = (
        sa.select(
            User.id,
            User.full_name,
            User.email,
            User.role,
            User.active,
            User.must_change_password,
            User.is_new_assessor,
            assessor.full_name.label("assessor_name"),
            iqa.full_name.label("iqa_name"),
        )
        .outerjoin(assessor, assessor.id == User.assessor_id)
        .outerjoin(iqa, iqa.id == User.iqa_id)
        .where(User.centre_id == centre_id)
        .order_by(User.full_name, User.id)
    )
    if role is not None:
        query = query.where(User.role == role)
    if q := q.strip():
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.full_name).like(like), User.email.like(like)))
    return query


def centre_staff(centre_id: int, role: Role) -> sa.Select:
    """Active users of a centre holding a role (for allocation choices)."""
    return (
        sa.select(User)
        .where(User.centre_id == centre_id, User.role == role, User.active.is_(True))
        .order_by(User.full_name)
    )


def centre_cohorts(centre_id: int) -> sa.Select:
    """A centre's cohorts by name (count their members with `member_counts`)."""
    return sa.select(Cohort).where(Cohort.centre_id == centre_id).order_by(Cohort.name, Cohort.id)


def member_counts(cohort_ids: list[int]) -> dict[int, int]:
    """How many learners each of these cohorts has, in one query."""
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        sa.select(cohort_members.c.cohort_id, sa.func.count())
        .where(cohort_members.c.cohort_id.in_(cohort_ids))
        .group_by(cohort_members.c.cohort_id)
    )
    return dict(rows.all())


def cohort_picker(
    centre_id: int, *, members_of: int | None = None, unassigned: bool = False, q: str = ""
) -> sa.Select:
    """A centre's learners to choose a cohort's members from, by name: all of them, only the
    members of one cohort (`members_of`), or only those in no cohort (`unassigned`)."""
    query = (
        sa.select(User)
        .where(User.centre_id == centre_id, User.role == Role.LEARNER)
        .order_by(User.full_name, User.id)
    )
    if members_of is not None:
        query = query.join(cohort_members, cohort_members.c.user_id == User.id).where(
            cohort_members.c.cohort_id == members_of
        )
    if unassigned:
        query = query.where(~sa.exists().where(cohort_members.c.user_id == User.id))
    if q := q.strip():
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.full_name).like(like), User.email.like(like)))
    return query


def members_among(cohort_id: int, user_ids: list[int]) -> set[int]:
    """Which of these users belong to the cohort."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(cohort_members.c.user_id).where(
                cohort_members.c.cohort_id == cohort_id, cohort_members.c.user_id.in_(user_ids)
            )
        )
    )


def all_centres() -> sa.Select:
    """Every centre with its user count: rows of (Centre, count)."""
    count = sa.select(sa.func.count(User.id)).where(User.centre_id == Centre.id).scalar_subquery()
    return sa.select(Centre, count.label("users")).order_by(Centre.name)
