"""Reads for the site admin's pages."""

import sqlalchemy as sa

from portfolio.accounts.models import Centre, User
from portfolio.roles import Role


def centres_with_admin_counts() -> sa.Select:
    """Every centre by name, as rows of (Centre, users, admins): `admins` counts the centre's
    active admins, so the list shows at a glance which centre has nobody left to run it."""
    users = sa.select(sa.func.count(User.id)).where(User.centre_id == Centre.id)
    admins = users.where(User.role == Role.CENTRE_ADMIN, User.active.is_(True))
    return sa.select(
        Centre,
        users.scalar_subquery().label("users"),
        admins.scalar_subquery().label("admins"),
    ).order_by(Centre.name, Centre.id)
