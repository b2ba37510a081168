"""Reads for the site admin's pages."""

import sqlalchemy as sa

from portfolio.accounts.models import Centre, User
from portfolio.accounts.services import normalise_email
from portfolio.extensions import db
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


def email_in_use(email: str) -> bool:
    """Whether an account already signs in with this email (compared as the accounts service
    stores it)."""
    statement = sa.select(User.id).where(User.email == normalise_email(email)).limit(1)
    return db.session.scalar(statement) is not None


def centre_name_in_use(name: str) -> bool:
    """Whether a centre already has this name (compared as the accounts service compares
    them: trimmed, any case)."""
    statement = sa.select(Centre.id).where(sa.func.lower(Centre.name) == name.strip().lower())
    return db.session.scalar(statement.limit(1)) is not None
