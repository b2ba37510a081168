"""Reads for notifications."""

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.review.models import Notification


def inbox(user: User) -> sa.Select:
    """The user's notifications, unread first, then newest first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread: one COUNT, for the page header."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
