"""Writes for notifications: send one, mark one or all read."""

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.review.models import Notification


class NotificationError(Exception):
    """A notification action was refused; the message is shown as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def notify(user: User, kind: str, message: str, link: str = "") -> Notification:
    """Put a message in the user's inbox. `link` is a path within the app (or empty)."""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise NotificationError("A notification links only to a page of this site.")
    notification = Notification(user=user, kind=kind[:40], message=message[:500], link=link[:300])
    db.session.add(notification)
    db.session.flush()
    return notification


def mark_read(notification: Notification, *, by: User) -> Notification:
    """Mark one of the user's own notifications read (reading it again changes nothing)."""
    if notification.user_id != by.id:
        raise NotificationError("That notification is not yours.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def mark_read_for_link(user: User, link: str) -> int:
    """Opening the page a notification points at reads it: mark those read."""
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.link == link,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0
