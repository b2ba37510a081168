"""Reads for accounts, scoped to what a user may see."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import Centre, Cohort, User
from portfolio.roles import Role


def centre_users(centre_id: int, *, role: Role | None = None, q: str = "") -> sa.Select:
    """The users of one centre, by name, with their allocation loaded for listing."""
    query = (
        sa.select(User)
        .where(User.centre_id == centre_id)
        .options(so.joinedload(User.assessor), so.joinedload(User.iqa))
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
    """A centre's cohorts with their member counts: rows of (Cohort, count)."""
    count = (
        sa.select(sa.func.count())
        .select_from(User.__table__.join(Cohort.members.property.secondary))
        .where(Cohort.members.property.secondary.c.cohort_id == Cohort.id)
        .scalar_subquery()
    )
    return (
        sa.select(Cohort, count.label("members"))
        .where(Cohort.centre_id == centre_id)
        .order_by(Cohort.name)
    )


def all_centres() -> sa.Select:
    """Every centre with its user count: rows of (Centre, count)."""
    count = sa.select(sa.func.count(User.id)).where(User.centre_id == Centre.id).scalar_subquery()
    return sa.select(Centre, count.label("users")).order_by(Centre.name)
